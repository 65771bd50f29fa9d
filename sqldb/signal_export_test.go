package sqldb

// LargeSubtreeForTest sets the number of repayments from which a subtree's first repayments
// are found along the index by business day; the returned function restores it.
func LargeSubtreeForTest(n int) func() {
	old := largeSubtree
	largeSubtree = n
	return func() { largeSubtree = old }
}
