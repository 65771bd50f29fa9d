package sqldb

// Anchors: the heads of the audit chains written down outside the database. Whoever can write
// to the database can rewrite a chain from any record onward and set its head to match, or cut
// its newest records and set the head back; the chain alone cannot tell. An anchor taken before
// can: the record it names must still be there, with the hash it names.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// ChainHead is the last record of one audit chain.
type ChainHead struct {
	Chain   int64  // the chain: a group's unit id, 0 for the regulator's level
	Seq     int64  // the last record's place in the chain
	Hash    string // its hash
	LastSeq int64  // its seq, the order of all records
}

// Anchor is the heads of every audit chain at one moment.
type Anchor struct {
	At    time.Time
	Heads []ChainHead // by chain
}

// anchorMagic opens an anchor file.
const anchorMagic = "qingqian-audit-anchor 1"

// Digest is one hash over every head: short enough to print on an issued report or read out.
func (a *Anchor) Digest() string {
	h := sha256.New()
	for _, c := range a.Heads {
		fmt.Fprintf(h, "%d %d %s\n", c.Chain, c.Seq, c.Hash)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// headLines is the heads as "chain seq hash" lines; parseHeadLines reads them back.
func (a *Anchor) headLines() string {
	var b strings.Builder
	for _, c := range a.Heads {
		fmt.Fprintf(&b, "%d %d %s\n", c.Chain, c.Seq, c.Hash)
	}
	return b.String()
}

func parseHeadLines(s string) ([]ChainHead, error) {
	var out []ChainHead
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return nil, fmt.Errorf("bad head line %q", line)
		}
		chain, err1 := strconv.ParseInt(f[0], 10, 64)
		seq, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad head line %q", line)
		}
		out = append(out, ChainHead{Chain: chain, Seq: seq, Hash: f[2]})
	}
	return out, nil
}

// Records is the number of records the anchor's heads stand for.
func (a *Anchor) Records() int64 {
	var n int64
	for _, c := range a.Heads {
		n += c.Seq
	}
	return n
}

// WriteTo writes the anchor in its text form: a line per chain and the digest, which
// ReadAnchor reads back.
func (a *Anchor) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nat %s\n", anchorMagic, a.At.UTC().Format(time.RFC3339))
	for _, c := range a.Heads {
		fmt.Fprintf(&b, "chain %d seq %d hash %s\n", c.Chain, c.Seq, c.Hash)
	}
	fmt.Fprintf(&b, "digest %s\n", a.Digest())
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// ReadAnchor reads an anchor written by WriteTo; its digest must match its heads.
func ReadAnchor(r io.Reader) (*Anchor, error) {
	sc := bufio.NewScanner(r)
	a := &Anchor{}
	line, digest := 0, ""
	for sc.Scan() {
		line++
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 0:
		case line == 1:
			if sc.Text() != anchorMagic {
				return nil, fmt.Errorf("不是审计链锚点文件")
			}
		case f[0] == "at" && len(f) == 2:
			t, err := time.Parse(time.RFC3339, f[1])
			if err != nil {
				return nil, fmt.Errorf("锚点文件第 %d 行：时间不正确", line)
			}
			a.At = t
		case f[0] == "chain" && len(f) == 6 && f[2] == "seq" && f[4] == "hash":
			chain, err1 := strconv.ParseInt(f[1], 10, 64)
			seq, err2 := strconv.ParseInt(f[3], 10, 64)
			if err1 != nil || err2 != nil || !validSHA(f[5]) {
				return nil, fmt.Errorf("锚点文件第 %d 行不正确", line)
			}
			a.Heads = append(a.Heads, ChainHead{Chain: chain, Seq: seq, Hash: f[5]})
		case f[0] == "digest" && len(f) == 2:
			digest = f[1]
		default:
			return nil, fmt.Errorf("锚点文件第 %d 行不正确", line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if line == 0 {
		return nil, fmt.Errorf("锚点文件为空")
	}
	if digest != a.Digest() {
		return nil, fmt.Errorf("锚点文件的摘要与其内容不符")
	}
	return a, nil
}

// ReadAnchorFile reads an anchor file.
func ReadAnchorFile(path string) (*Anchor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAnchor(f)
}

// WriteAnchorFile replaces the anchor file at path, durably.
func WriteAnchorFile(path string, a *Anchor) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".anchor-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := a.WriteTo(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(filepath.Dir(path))
}

// readHeads reads the heads of every chain.
func readHeads(ctx context.Context, q queryer) (_ []ChainHead, err error) {
	defer wrapErr(&err, "read audit_heads")
	rows, err := q.QueryContext(ctx, `SELECT chain, seq, hash, last_seq FROM audit_heads ORDER BY chain`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ChainHead
	for rows.Next() {
		var c ChainHead
		if err := rows.Scan(&c.Chain, &c.Seq, &c.Hash, &c.LastSeq); err != nil {
			return nil, err
		}
		if c.Seq > 0 {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// TakeAnchor reads the heads of every chain, as committed now. Chains whose head the chain
// walk does not bear out are not checked here: verify does that.
func (db *DB) TakeAnchor(ctx context.Context) (_ *Anchor, err error) {
	defer serviceErr(&err, "take an anchor of the audit chains")
	s, err := db.beginSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	heads, err := readHeads(ctx, s.tx)
	if err != nil {
		return nil, err
	}
	return &Anchor{At: db.Now().UTC().Truncate(time.Second), Heads: heads}, nil
}

// checkAnchor reports, for each chain of an anchor, whether the database still holds the record
// the anchor names with the hash it names: a chain cut back or rewritten since does not. The
// records are looked up in the snapshot, whose chains verify walks.
func (db *DB) checkAnchor(ctx context.Context, s *snapshot, a *Anchor, name string, rep *VerifyReport) error {
	for _, h := range a.Heads {
		var hash string
		var seq int64
		err := s.tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log WHERE chain = $1 AND chain_seq = $2`, h.Chain, h.Seq).Scan(&seq, &hash)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("read audit_log: %w", err)
		}
		switch {
		case err != nil:
			rep.add("%s（%s）记录审计链 %d 到第 %d 条，数据库中已没有这条记录：之后的记录被删除，链头被改回", name, a.At.Format(time.DateTime), h.Chain, h.Seq)
		case hash != h.Hash:
			rep.add("%s（%s）记录的审计链 %d 第 %d 条（总第 %d 条）与数据库中的哈希不同：审计链自该条或更早被改写后重新计算了哈希", name, a.At.Format(time.DateTime), h.Chain, h.Seq, seq)
		}
	}
	return nil
}

// AnchorFileName is the second copy of the heads the server keeps in its data folder, outside
// the database: verify checks it, and every verify that passes and a running server move it on.
const AnchorFileName = "audit-anchor.txt"

// AnchorMismatchError says the database no longer holds what an anchor recorded.
type AnchorMismatchError struct{ Problems []string }

func (e *AnchorMismatchError) Error() string { return strings.Join(e.Problems, "；") }

// AdvanceAnchorFile moves the anchor file at path on to the heads as committed now, after
// checking, in the same snapshot, that the database still holds every record the file names
// with the hash it names. When it does not, the file is kept as it is (it is the evidence) and an
// *AnchorMismatchError says what is gone. A missing file is written.
func (db *DB) AdvanceAnchorFile(ctx context.Context, path string) (_ *Anchor, err error) {
	defer wrapErr(&err, "advance the anchor file")
	old, err := ReadAnchorFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	s, err := db.beginSnapshot(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	if old != nil {
		rep := &VerifyReport{}
		if err := db.checkAnchor(ctx, s, old, "数据目录中的锚点", rep); err != nil {
			return nil, err
		}
		if !rep.OK() {
			return nil, &AnchorMismatchError{rep.Problems}
		}
	}
	heads, err := readHeads(ctx, s.tx)
	if err != nil {
		return nil, err
	}
	a := &Anchor{At: db.Now().UTC().Truncate(time.Second), Heads: heads}
	if old != nil && old.Digest() == a.Digest() {
		return old, nil
	}
	return a, WriteAnchorFile(path, a)
}
