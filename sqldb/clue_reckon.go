package sqldb

// A clue's deadlines are stored so that lists can be filtered and sorted by them, and are
// recomputed from the clue's dates whenever those or the calendar change: a year entered turns
// the provisional deadlines counted on weekends alone into firm ones (ADR 17).

import (
	"context"
	"fmt"
	"time"

	"github.com/qingqian/qingqian"
)

// timeArg is nil for an unset instant, so that it is stored as NULL.
func timeArg(tx *Tx, t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return tx.ts(t)
}

// storeDeadlines writes the deadlines Reckon computed for a clue.
func (tx *Tx) storeDeadlines(ctx context.Context, c *qingqian.Clue) error {
	_, err := tx.ExecContext(ctx, `UPDATE clues SET forward_due_on = $1, forward_provisional = $2, result_due_on = $3, result_provisional = $4,
		deadline_note = $5 WHERE id = $6`, dateArg(c.ForwardBy), c.ForwardByProvisional, dateArg(c.ResultBy), c.ResultByProvisional, c.DeadlineNote, c.ID)
	if err != nil {
		return fmt.Errorf("update the deadlines of clue %d: %w", c.ID, err)
	}
	return nil
}

// reckonClues recomputes every clue's deadlines on the calendar as it is in the transaction and
// stores those that changed; it returns how many did. A clue's version is not bumped: nobody
// changed the clue.
func (tx *Tx) reckonClues(ctx context.Context) (_ int, err error) {
	defer wrapErr(&err, "recompute the deadlines of clues")
	cal, err := tx.db.calendar(ctx, tx)
	if err != nil {
		return 0, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, received_on, assigned_on, materials_on, forward_due_on, forward_provisional, result_due_on,
		result_provisional, deadline_note FROM clues ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("read clues: %w", err)
	}
	var changed []*qingqian.Clue
	for rows.Next() {
		var c qingqian.Clue
		if err := rows.Scan(&c.ID, &c.ReceivedOn, optDate{&c.AssignedOn}, optDate{&c.MaterialsOn}, optDate{&c.ForwardBy}, &c.ForwardByProvisional,
			optDate{&c.ResultBy}, &c.ResultByProvisional, &c.DeadlineNote); err != nil {
			rows.Close()
			return 0, err
		}
		was := c
		c.Reckon(cal)
		if c.ForwardBy != was.ForwardBy || c.ForwardByProvisional != was.ForwardByProvisional || c.ResultBy != was.ResultBy ||
			c.ResultByProvisional != was.ResultByProvisional || c.DeadlineNote != was.DeadlineNote {
			changed = append(changed, &c)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, c := range changed {
		if err := tx.storeDeadlines(ctx, c); err != nil {
			return 0, err
		}
	}
	return len(changed), nil
}

// migrateClueDates fills, for the clues assigned before migration 0009, when their first and
// latest assignments were recorded (from the audit trail), and recomputes every deadline: those
// a missing year left empty become provisional.
func migrateClueDates(ctx context.Context, tx *Tx) (err error) {
	defer wrapErr(&err, "fill the dates of clues")
	rows, err := tx.QueryContext(ctx, `SELECT entity_id, at FROM audit_log WHERE entity = 'clue' AND action = 'clue.assign' ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("read audit_log: %w", err)
	}
	type steps struct{ first, last time.Time }
	byClue := map[int64]*steps{}
	var order []int64
	for rows.Next() {
		var id int64
		var at time.Time
		if err := rows.Scan(&id, timeCol{&at}); err != nil {
			rows.Close()
			return err
		}
		if s := byClue[id]; s != nil {
			s.last = at
		} else {
			byClue[id] = &steps{first: at}
			order = append(order, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range order {
		s := byClue[id]
		var reassignedOn qingqian.Date
		if !s.last.IsZero() {
			reassignedOn = qingqian.DateOf(s.last)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE clues SET assigned_at = $1, reassigned_on = $2, reassigned_at = $3 WHERE id = $4 AND assigned_on IS NOT NULL`,
			tx.ts(s.first), dateArg(reassignedOn), timeArg(tx, s.last), id); err != nil {
			return fmt.Errorf("update clues: %w", err)
		}
	}
	_, err = tx.reckonClues(ctx)
	return err
}
