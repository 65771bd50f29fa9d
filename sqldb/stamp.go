package sqldb

// Usage stamps: when an API token was last used and a session last seen. Reading with a token or
// a session must never wait for the database's writer (on SQLite the one writing connection,
// which an import may hold for minutes), so the stamps are kept in memory and written in the
// background, a few at a time, at most every stampInterval.

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// stampInterval is how often the stamps kept in memory are written.
const stampInterval = 30 * time.Second

// stampEvery is how stale a stamp may be before a use renews it.
const stampEvery = time.Minute

// stamps are the usage stamps not yet written, and the sessions found expired, to delete.
type stamps struct {
	mu       sync.Mutex
	tokens   map[int64]time.Time
	sessions map[string]time.Time
	expired  map[string]bool
	started  bool
	stop     chan struct{}
	done     chan struct{}
}

// tokenUsed notes that a token was used at t.
func (db *DB) tokenUsed(id int64, t time.Time) {
	s := &db.stamps
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens = map[int64]time.Time{}
	}
	if t.After(s.tokens[id]) {
		s.tokens[id] = t
	}
	db.startStamps()
}

// sessionSeen notes that a session was seen at t.
func (db *DB) sessionSeen(id string, t time.Time) {
	s := &db.stamps
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions == nil {
		s.sessions = map[string]time.Time{}
	}
	if t.After(s.sessions[id]) {
		s.sessions[id] = t
	}
	db.startStamps()
}

// sessionExpired notes a session to delete.
func (db *DB) sessionExpired(id string) {
	s := &db.stamps
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.expired == nil {
		s.expired = map[string]bool{}
	}
	s.expired[id] = true
	delete(s.sessions, id)
	db.startStamps()
}

// lastSeen returns the later of stored and the session's stamp not yet written.
func (db *DB) lastSeen(id string, stored time.Time) time.Time {
	s := &db.stamps
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.sessions[id]; t.After(stored) {
		return t
	}
	return stored
}

// lastUsed returns the later of stored and the token's stamp not yet written.
func (db *DB) lastUsed(id int64, stored time.Time) time.Time {
	s := &db.stamps
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tokens[id]; t.After(stored) {
		return t
	}
	return stored
}

// startStamps starts the background writer once; s.mu is held.
func (db *DB) startStamps() {
	s := &db.stamps
	if s.started {
		return
	}
	s.started = true
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(s.done)
		t := time.NewTicker(stampInterval)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				return
			case <-t.C:
				ctx, cancel := context.WithTimeout(context.Background(), stampInterval)
				if err := db.FlushStamps(ctx); err != nil {
					db.logger().Warn("usage stamps not written, kept for the next attempt", "err", err)
				}
				cancel()
			}
		}
	}()
}

// stopStamps stops the background writer and writes what is left, waiting at most a few seconds.
func (db *DB) stopStamps() {
	s := &db.stamps
	s.mu.Lock()
	started := s.started
	s.started = false
	s.mu.Unlock()
	if started {
		close(s.stop)
		<-s.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := db.FlushStamps(ctx); err != nil {
		db.logger().Warn("usage stamps not written at close", "err", err)
	}
}

// FlushStamps writes the usage stamps kept in memory in one short transaction. What cannot be
// written is kept for the next attempt (a later stamp of the same token or session wins).
func (db *DB) FlushStamps(ctx context.Context) (err error) {
	s := &db.stamps
	s.mu.Lock()
	tokens, sessions, expired := s.tokens, s.sessions, s.expired
	s.tokens, s.sessions, s.expired = nil, nil, nil
	s.mu.Unlock()
	if len(tokens)+len(sessions)+len(expired) == 0 {
		return nil
	}
	defer func() {
		if err == nil {
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		for id, t := range tokens {
			if s.tokens == nil {
				s.tokens = map[int64]time.Time{}
			}
			if t.After(s.tokens[id]) {
				s.tokens[id] = t
			}
		}
		for id, t := range sessions {
			if s.sessions == nil {
				s.sessions = map[string]time.Time{}
			}
			if t.After(s.sessions[id]) && !s.expired[id] {
				s.sessions[id] = t
			}
		}
		if s.expired == nil {
			s.expired = map[string]bool{}
		}
		maps.Copy(s.expired, expired)
	}()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	// In a stable order, so that two servers writing their stamps never wait on each other in a
	// circle.
	for _, id := range slices.Sorted(maps.Keys(tokens)) {
		ts := db.d.ts(tokens[id])
		if _, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)`, ts, id); err != nil {
			return fmt.Errorf("update api_tokens: %w", err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(sessions)) {
		ts := db.d.ts(sessions[id])
		if _, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $1`, ts, id); err != nil {
			return fmt.Errorf("update sessions: %w", err)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(expired)) {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete from sessions: %w", err)
		}
	}
	return tx.Commit()
}
