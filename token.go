package qingqian

import (
	"context"
	"time"
)

// Token is an API token for a machine client (an ERP pushing repayments). It acts for one unit's
// subtree with the roles given; only its SHA-256 is stored, the secret is shown once.
type Token struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	OrgID      int64     `json:"org_id"`
	Roles      []Role    `json:"roles"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
	RevokedAt  time.Time `json:"revoked_at,omitzero"`
}

// TokenPrefix starts every token secret, so that one leaked in a log is recognisable.
const TokenPrefix = "qq_"

// TokenService manages API tokens.
type TokenService interface {
	// CreateToken makes a token for a unit in the administrator's subtree and returns its
	// secret, which is never stored. Callers: admin. Errors: EINVALID, EFORBIDDEN, ENOTFOUND.
	CreateToken(ctx context.Context, name string, orgID int64, roles []Role) (*Token, string, error)
	// FindTokens lists the tokens of units in the administrator's subtree.
	FindTokens(ctx context.Context) ([]*Token, error)
	// RevokeToken stops a token from working. Audited.
	RevokeToken(ctx context.Context, id int64) error
	// Authenticate returns the actor of a token secret, or EUNAUTHORIZED.
	Authenticate(ctx context.Context, secret string) (*Actor, error)
}
