package xlsx

import (
	"context"
	"io"
	"strconv"

	"github.com/qingqian/qingqian"
)

// AuditColumns are the columns of the audit trail export (审计记录导出), for an assessor who
// checks it outside the system: every field of a record, its hash link included, and the chain
// it belongs to with its place there (which the hash covers; see docs/verify.md).
var AuditColumns = []Column{
	{Key: "seq", Header: "序号", Width: 10},
	{Key: "at", Header: "时间（北京时间）", Width: 22},
	{Key: "actor", Header: "操作人", Width: 20},
	{Key: "actor_id", Header: "用户编号", Width: 10},
	{Key: "source", Header: "来源地址", Width: 18},
	{Key: "action", Header: "操作代码", Width: 24},
	{Key: "entity", Header: "对象", Width: 12},
	{Key: "entity_id", Header: "对象编号", Width: 10},
	{Key: "org_path", Header: "所属单位路径", Width: 14},
	{Key: "before", Header: "变更前", Width: 40},
	{Key: "after", Header: "变更后", Width: 40},
	{Key: "prev_hash", Header: "前序哈希", Width: 20},
	{Key: "hash", Header: "哈希", Width: 20},
	{Key: "chain", Header: "审计链", Width: 8},
	{Key: "chain_seq", Header: "链内序号", Width: 10},
	// The action's name, for the reader; the code before is what the hash covers.
	{Key: "action_name", Header: "操作", Width: 20},
	{Key: "entity_name", Header: "对象类别", Width: 12},
}

// ExportAudit writes the audit records a filter selects, newest first, paging by sequence
// number so that the trail never sits in memory.
func ExportAudit(ctx context.Context, audit qingqian.AuditService, f qingqian.AuditFilter, w io.Writer, format string, meta Meta) error {
	meta.Title, meta.Sheet = "审计记录", "审计记录"
	out, err := newWriter(w, format, AuditColumns, meta)
	if err != nil {
		return err
	}
	f.Offset, f.Limit, f.NoCount = 0, 500, true
	for {
		recs, _, err := audit.FindAudit(ctx, f)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			break
		}
		for _, r := range recs {
			if err := out.row([]any{strconv.FormatInt(r.Seq, 10), r.At.In(cst).Format("2006-01-02 15:04:05.000000"), r.ActorName,
				strconv.FormatInt(r.ActorID, 10), r.Source, r.Action, r.Entity, strconv.FormatInt(r.EntityID, 10), r.OrgPath,
				string(r.Before), string(r.After), r.PrevHash, r.Hash, strconv.FormatInt(r.Chain, 10), strconv.FormatInt(r.ChainSeq, 10),
				qingqian.AuditAction(r.Action).Label(), qingqian.AuditEntityNames[r.Entity]}); err != nil {
				return err
			}
		}
		f.BeforeSeq = recs[len(recs)-1].Seq
	}
	return out.close()
}
