package sqldb

import (
	"sync"
	"time"
)

// tokenTTL is how long a token, once found valid, is taken as valid without reading it again
// (ADR 28). A token revoked or a unit moved on this server takes effect at once (the cache is
// emptied); done on another server behind the same database, within tokenTTL.
const tokenTTL = 5 * time.Second

// maxCachedTokens bounds the cache; when full it is emptied (tokens are few: one per system
// that pushes, not one per request).
const maxCachedTokens = 10_000

// tokenCache keeps the tokens recently found valid, by the hash of their secret: an API client
// sending requests one after the other is authenticated without a database read each time.
// Unknown or revoked secrets are not kept.
type tokenCache struct {
	mu sync.Mutex
	m  map[string]cachedToken
}

type cachedToken struct {
	id, orgID         int64
	name, roles, path string
	used              time.Time // last_used_at as read
	at                time.Time // when read
}

func (c *tokenCache) get(hash string) (cachedToken, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.m[hash]
	if !ok || time.Since(t.at) >= tokenTTL {
		return cachedToken{}, false
	}
	return t, true
}

func (c *tokenCache) put(hash string, t cachedToken) {
	t.at = time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = map[string]cachedToken{}
	}
	c.m[hash] = t
}

// clear forgets every token: after a revocation or a unit's move.
func (c *tokenCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m = nil
}
