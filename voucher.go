package qingqian

import (
	"bytes"
	"context"
	"io"
	"time"
)

// Voucher is an evidence file of a payment (支付凭证), stored once per SHA-256 of its content.
type Voucher struct {
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"created_at"`
	// EntryCount is the number of entries the file is attached to; more than one is a fraud
	// signal (the same proof used for two payments) and is shown as such.
	EntryCount int `json:"entry_count"`
}

// VoucherRef is a voucher as attached to an entry.
type VoucherRef struct {
	SHA256      string `json:"sha256"`
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	// Reused is true when the same file is attached to another entry too.
	Reused bool `json:"reused"`
}

// Voucher content types accepted.
const (
	TypePDF  = "application/pdf"
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
	TypeOFD  = "application/ofd"
)

// DetectVoucherType returns the content type of a voucher file from its first bytes and, for
// OFD (a zip package), from its structure; "" when it is none of PDF, JPEG, PNG or OFD. The
// file name is never trusted.
func DetectVoucherType(head []byte, isOFD func() bool) string {
	switch {
	case bytes.HasPrefix(head, []byte("%PDF-")):
		return TypePDF
	case bytes.HasPrefix(head, []byte{0xFF, 0xD8, 0xFF}):
		return TypeJPEG
	case bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")):
		return TypePNG
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) && isOFD != nil && isOFD():
		return TypeOFD
	}
	return ""
}

// VoucherService stores and serves voucher files.
type VoucherService interface {
	// StoreVoucher saves a file (content-addressed; storing the same bytes twice keeps one copy)
	// and records who uploaded it. Callers: writers. Errors: EINVALID (type or size).
	StoreVoucher(ctx context.Context, name string, r io.Reader) (*Voucher, error)
	// OpenVoucher returns a voucher the actor may see: one it uploaded within its subtree, or
	// one attached to an entry in its subtree. Others are ENOTFOUND.
	OpenVoucher(ctx context.Context, sha256 string) (*Voucher, io.ReadSeekCloser, error)
	// AttachVoucher links a stored voucher to a repayment entry. Audited.
	AttachVoucher(ctx context.Context, entryID int64, sha256 string) error
	// FindVoucherEntries lists the entries (in the actor's subtree) a voucher is attached to.
	FindVoucherEntries(ctx context.Context, sha256 string) ([]*Entry, error)
}
