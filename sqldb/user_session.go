package sqldb

// Signing in, out, and the sessions that follow.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingqian/qingqian"
)

// Login implements qingqian.UserService. Failures are counted in the transaction that records
// them, the account's row and the address's row locked, so that guesses sent in parallel are
// each counted; a right password is refused if the account was locked meanwhile.
func (s *UserService) Login(ctx context.Context, username, password, code string) (_ *qingqian.User, _ string, err error) {
	defer serviceErr(&err, "sign in %q", username)
	bad := qingqian.Errorf(qingqian.EUNAUTHORIZED, qingqian.LoginFailed)
	username = strings.ToLower(strings.TrimSpace(username))
	pol, err := s.db.securityPolicy(ctx)
	if err != nil {
		return nil, "", err
	}
	now := s.db.Now()
	source := qingqian.SourceFrom(ctx)
	// A refusal is recorded even when the request is gone; a record that cannot be written is
	// logged, and the attempt refused all the same.
	record := func(actor *qingqian.Actor, fn func(tx *Tx) error) {
		ctx := context.WithoutCancel(ctx)
		if err := s.db.inTx(ctx, actor, func(tx *Tx) error { return fn(tx) }); err != nil {
			s.db.logger().ErrorContext(ctx, "security audit record not written", "action", "user.login", "username", username, "err", err)
		}
	}
	tried := username
	if len(tried) > 64 {
		tried = tried[:64]
	}
	anon := &qingqian.Actor{Name: tried, OrgPath: "/"}
	if source != "" {
		var until time.Time
		err := s.db.read.QueryRowContext(ctx, `SELECT locked_until FROM login_sources WHERE source = $1`, source).Scan(timeCol{&until})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, "", fmt.Errorf("read login_sources: %w", err)
		}
		if now.Before(until) {
			// No password is checked for an address that is stopped.
			record(anon, func(tx *Tx) error {
				return tx.audit(ctx, "user.login_throttled", "user", 0, "/", nil, map[string]any{"username": tried, "until": until})
			})
			return nil, "", bad
		}
	}
	var hash, totpSecret string
	var totpStep int64
	u, err := scanUser(s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, u.password_hash, u.totp_secret, u.totp_step FROM users u JOIN orgs o ON o.id = u.org_id WHERE u.username = $1`, username),
		&hash, &totpSecret, &totpStep)
	if errors.Is(err, sql.ErrNoRows) {
		checkPassword(dummyHash(), password)
		record(anon, func(tx *Tx) error {
			if err := tx.sourceFailed(ctx, source, pol); err != nil {
				return err
			}
			return tx.audit(ctx, "user.login_failed", "user", 0, "/", nil, map[string]any{"username": tried, "reason": "unknown"})
		})
		return nil, "", bad
	} else if err != nil {
		return nil, "", err
	}
	actor := u.Actor()
	if now.Before(u.LockedUntil) {
		// As long as a wrong password takes: how long the answer takes tells no more than it says.
		checkPassword(dummyHash(), password)
		record(actor, func(tx *Tx) error {
			if err := tx.sourceFailed(ctx, source, pol); err != nil {
				return err
			}
			return tx.audit(ctx, "user.login_locked", "user", u.ID, u.OrgPath, nil, map[string]any{"locked_until": u.LockedUntil})
		})
		return nil, "", bad
	}
	reason := ""
	var step int64
	switch {
	case !checkPassword(hash, password):
		reason = "password"
	case !u.Active:
		reason = "inactive"
	case totpSecret != "":
		var ok bool
		if step, ok = qingqian.CheckTOTP(totpSecret, code, now); !ok || step <= totpStep {
			reason = "code"
		}
	}
	if reason != "" {
		err := s.db.inTx(ctx, actor, func(tx *Tx) error {
			if err := tx.sourceFailed(ctx, source, pol); err != nil {
				return err
			}
			var failed int
			var locked time.Time
			if err := tx.QueryRowContext(ctx, `SELECT failed_logins, locked_until FROM users WHERE id = $1`+tx.db.d.forUpdate, u.ID).Scan(&failed, timeCol{&locked}); err != nil {
				return fmt.Errorf("lock the user: %w", err)
			}
			if tx.now.Before(locked) {
				// Locked by a guess that came in parallel: this one is refused as locked.
				return tx.audit(ctx, "user.login_locked", "user", u.ID, u.OrgPath, nil, map[string]any{"locked_until": locked, "reason": reason})
			}
			failed++
			var until any
			action := "user.login_failed"
			if failed >= pol.MaxFailedLogins {
				until, action = tx.ts(tx.now.Add(pol.LockDuration())), "user.locked"
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = $1, locked_until = $2 WHERE id = $3`, failed%pol.MaxFailedLogins, until, u.ID); err != nil {
				return fmt.Errorf("update users: %w", err)
			}
			return tx.audit(ctx, action, "user", u.ID, u.OrgPath, nil, map[string]any{"failed": failed, "reason": reason})
		})
		if err != nil {
			return nil, "", err
		}
		return nil, "", bad
	}
	secret := RandomToken(32)
	refused := false
	err = s.db.inTx(ctx, actor, func(tx *Tx) error {
		var locked time.Time
		var lastStep int64
		if err := tx.QueryRowContext(ctx, `SELECT locked_until, totp_step FROM users WHERE id = $1`+tx.db.d.forUpdate, u.ID).Scan(timeCol{&locked}, &lastStep); err != nil {
			return fmt.Errorf("lock the user: %w", err)
		}
		if tx.now.Before(locked) || (totpSecret != "" && step <= lastStep) {
			refused = true
			return tx.audit(ctx, "user.login_locked", "user", u.ID, u.OrgPath, nil, map[string]any{"locked_until": locked})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $1, totp_step = $2 WHERE id = $3`,
			tx.ts(now), max(step, lastStep), u.ID); err != nil {
			return fmt.Errorf("update users: %w", err)
		}
		ended := int64(0)
		if pol.SingleSession {
			res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID)
			if err != nil {
				return fmt.Errorf("delete from sessions: %w", err)
			}
			ended, _ = res.RowsAffected()
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)`, hashSecret(secret), u.ID, tx.ts(now)); err != nil {
			return fmt.Errorf("insert into sessions: %w", err)
		}
		var detail any
		if ended > 0 {
			detail = map[string]any{"ended_sessions": ended}
		}
		return tx.audit(ctx, "user.login", "user", u.ID, u.OrgPath, nil, detail)
	})
	if err != nil {
		return nil, "", err
	}
	if refused {
		return nil, "", bad
	}
	u.LastLoginAt = now
	return u, secret, nil
}

// sourceFailed counts a failed sign-in against the address it came from, in the transaction
// recording it, and stops the address when it has failed too often within the lock time.
func (tx *Tx) sourceFailed(ctx context.Context, source string, pol qingqian.SecurityPolicy) (err error) {
	defer wrapErr(&err, "count a failure of %s", source)
	if source == "" {
		return nil
	}
	since := tx.ts(tx.now.Add(-pol.LockDuration()))
	var failures int
	if err := tx.QueryRowContext(ctx, `INSERT INTO login_sources (source, failures, first_at) VALUES ($1, 1, $2)
		ON CONFLICT (source) DO UPDATE SET
			failures = CASE WHEN login_sources.first_at < $3 THEN 1 ELSE login_sources.failures + 1 END,
			first_at = CASE WHEN login_sources.first_at < $3 THEN $2 ELSE login_sources.first_at END
		RETURNING failures`, source, tx.ts(tx.now), since).Scan(&failures); err != nil {
		return fmt.Errorf("upsert login_sources: %w", err)
	}
	if failures < pol.SourceMaxFailures {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE login_sources SET failures = 0, first_at = $1, locked_until = $2 WHERE source = $3`,
		tx.ts(tx.now), tx.ts(tx.now.Add(pol.LockDuration())), source); err != nil {
		return fmt.Errorf("update login_sources: %w", err)
	}
	return tx.audit(ctx, "security.source_locked", "user", 0, "/", nil, map[string]any{"failures": failures, "minutes": pol.LockMinutes})
}

// Logout implements qingqian.UserService.
func (s *UserService) Logout(ctx context.Context, secret string) (err error) {
	defer serviceErr(&err, "sign out")
	_, err = s.db.write.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, hashSecret(secret))
	return err
}

// Authenticate implements qingqian.UserService. The last-seen time is renewed at most once a
// minute per session, and written in the background: it reads only.
func (s *UserService) Authenticate(ctx context.Context, secret string) (_ *qingqian.User, err error) {
	defer serviceErr(&err, "authenticate a session")
	unauth := qingqian.Errorf(qingqian.EUNAUTHORIZED, "请先登录")
	if secret == "" || len(secret) > 100 {
		return nil, unauth
	}
	pol, err := s.db.securityPolicy(ctx)
	if err != nil {
		return nil, err
	}
	var seen, created time.Time
	id := hashSecret(secret)
	u, err := scanUser(s.db.read.QueryRowContext(ctx, `SELECT `+userColumns+`, s.last_seen_at, s.created_at FROM sessions s JOIN users u ON u.id = s.user_id
		JOIN orgs o ON o.id = u.org_id WHERE s.id = $1`, id), timeCol{&seen}, timeCol{&created})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, unauth
	} else if err != nil {
		return nil, err
	}
	// The stamp and the removal of an ended session are written later, in the background
	// (stamp.go): a read never waits for the writer.
	now := s.db.Now()
	seen = s.db.lastSeen(id, seen)
	if !u.Active || now.Sub(seen) > pol.Idle() || now.Sub(created) > pol.MaxAge() {
		s.db.sessionExpired(id)
		return nil, qingqian.Errorf(qingqian.EUNAUTHORIZED, "登录已超时，请重新登录")
	}
	if now.Sub(seen) > stampEvery {
		s.db.sessionSeen(id, now)
	}
	if pol.PasswordMaxAgeDays > 0 && now.Sub(u.PasswordChangedAt) > time.Duration(pol.PasswordMaxAgeDays)*24*time.Hour {
		u.PasswordExpired = true
	}
	u.NeedsTOTP = pol.AdminTOTP && u.Administrator() && !u.TOTP
	return u, nil
}
