package web

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/qingqian/qingqian"
)

// An audit record reads on the page as the office speaks: the action's name, the object by its
// name, and what changed as a list of named fields; the record as stored stays one click away.

// entityPaths are the pages of the objects that have one.
var entityPaths = map[string]string{
	"item": "/items/", "creditor": "/creditors/", "clue": "/clues/", "case": "/cases/", "notice": "/notices/", "interview": "/interviews/",
	"submission": "/submissions/", "campaign": "/campaigns/", "campaign_answer": "/campaign-answers/", "circular": "/circulars/",
	"contract": "/contracts/", "period": "/periods/",
}

// auditFieldNames name the fields of the records' before and after states.
var auditFieldNames = map[string]string{
	"no": "编号", "name": "名称", "title": "标题", "username": "用户名", "org_name": "单位", "short_name": "简称", "uscc": "统一社会信用代码",
	"creditor_name": "债权企业", "creditor_uscc": "债权企业信用代码", "contract_no": "合同编号", "contract_name": "合同名称",
	"kind": "类型", "state": "状态", "status": "状态", "stage": "阶段", "note": "说明", "reason": "原因", "summary": "总结",
	"on": "业务日期", "as_of": "截至", "starts_on": "起始日期", "target_on": "目标日期", "arisen_on": "发生日期", "due_on": "到期日期",
	"filed_on": "立案日期", "expected_on": "预计解决日期", "received_on": "收到日期", "held_on": "约谈日期", "sent_on": "印发日期",
	"deadline": "期限", "reversed_on": "原记录日期", "signed_on": "签订日期", "year": "年度",
	"undisputed": "无分歧金额", "disputed": "有分歧金额", "amount": "金额", "claimed": "主张金额", "decided": "裁判金额",
	"method": "支付方式", "voucher_no": "凭证号", "reverses_id": "冲正分录", "funding_source": "资金来源", "origin": "来源",
	"dispute_reason": "分歧原因", "responsible": "责任部门", "responsible_leader": "责任领导", "responsible_person": "责任人",
	"respondent": "被反映单位", "text": "内容", "channel": "渠道", "transfer_no": "转办文号", "next_step": "下一步工作",
	"body": "受理机关", "case_no": "案号", "reply": "回复", "actions": "整改要求", "participants": "参加人员", "minutes": "纪要",
	"level": "层级", "basis": "依据", "scope": "范围", "rhythm": "报送节奏", "result": "核查结论", "zero": "零报告",
	"cause": "欠款原因", "subject": "对象", "follow_up": "跟踪情况", "done_on": "完成日期", "revision": "修订次数",
	"leader_name": "负责人", "department": "主管部门", "liaison_name": "联络员", "liaison_phone": "联系电话", "active": "启用",
	"roles": "角色", "must_change": "须修改密码", "totp": "动态口令", "failed": "连续失败次数", "locked_until": "锁定至",
	"region": "地区", "ownership": "所有制", "size": "规模", "has_overdue": "有逾期", "count": "笔数", "groups": "集团数",
	"query": "查询条件", "format": "格式", "content_type": "文件类型", "sha256": "文件指纹", "item_id": "欠款条目", "clue": "线索",
	"period_id": "报送期次", "campaign_id": "专项行动", "read_by": "签收人", "sent_by": "印发人", "issued_by": "签发人",
	"path": "页面", "field": "字段", "ids": "编号", "offset": "起始", "instalments": "分期", "items": "关联条目",
	"findings": "自查发现", "commitments": "承诺事项", "checklist": "核查事项", "events": "进展", "figures": "数字",
	"attachments": "附件", "reply_required": "须回复", "target": "下发范围", "audit_digest": "审计链锚点", "total": "合计",
}

// skippedFields are the bookkeeping fields an assessor does not read.
var skippedFields = map[string]bool{
	"id": true, "version": true, "created_at": true, "updated_at": true, "recorded_at": true, "balance": true, "category": true,
	"org_id": true, "creditor_id": true, "actor_name": true, "backdated": true, "vouchers": true, "editable": true, "depth": true,
	"password_changed_at": true, "entry_count": true, "computed_count": true, "computed_amount": true, "assign_backdated": true,
	"reassign_backdated": true, "parent_id": true, "sent_at": true, "issued_at": true, "replied_at": true, "closed_at": true,
	"replied_by": true, "closed_by": true, "signed_at": true, "prepared_at": true, "steps": true, "rule_top": true,
}

// enumFields read a code through its enum's labels.
var enumFields = map[string]func(string) string{
	"method":         func(s string) string { return qingqian.PayMethod(s).Label() },
	"funding_source": func(s string) string { return qingqian.FundingSource(s).Label() },
	"origin":         func(s string) string { return qingqian.Origin(s).Label() },
	"channel":        func(s string) string { return qingqian.Channel(s).Label() },
	"ownership":      func(s string) string { return qingqian.Ownership(s).Label() },
	"size":           func(s string) string { return qingqian.Size(s).Label() },
	"stage":          func(s string) string { return qingqian.CaseStage(s).Label() },
	"cause":          func(s string) string { return qingqian.Cause(s).Label() },
	"kind": func(s string) string {
		for _, l := range []string{qingqian.EntryKind(s).Label(), qingqian.ItemKind(s).Label(), qingqian.PeriodKind(s).Label(),
			qingqian.CaseKind(s).Label(), qingqian.CampaignKind(s).Label(), qingqian.OrgKind(s).Label()} {
			if l != "" {
				return l
			}
		}
		return ""
	},
	"state": func(s string) string {
		for _, l := range []string{qingqian.SubmissionState(s).Label(), qingqian.ClueState(s).Label(), qingqian.CampaignState(s).Label(),
			qingqian.DisclosureState(s).Label(), qingqian.NoticeState(s).Label()} {
			if l != "" {
				return l
			}
		}
		return ""
	},
}

// auditField is one named value of a record's state.
type auditField struct{ Name, Value string }

// auditFields reads a record's JSON state as a list of named fields, in the table's order of
// names; fields without a name are left to the stored record.
func auditFields(raw []byte) []auditField {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	var out []auditField
	for k, v := range m {
		name, ok := auditFieldNames[k]
		if !ok || skippedFields[k] || v == nil {
			continue
		}
		val := fieldValue(k, v)
		if val == "" {
			continue
		}
		out = append(out, auditField{name, val})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func fieldValue(key string, v any) string {
	switch x := v.(type) {
	case string:
		if f, ok := enumFields[key]; ok {
			if l := f(x); l != "" {
				return l
			}
		}
		if key == "field" && auditFieldNames[x] != "" {
			return auditFieldNames[x]
		}
		if x == "0001-01-01T00:00:00Z" {
			return ""
		}
		return x
	case bool:
		if x {
			return "是"
		}
		return "否"
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		if key == "roles" {
			var ls []string
			for _, r := range x {
				if s, ok := r.(string); ok {
					ls = append(ls, qingqian.Role(s).Label())
				}
			}
			return strings.Join(ls, "、")
		}
		if len(x) == 0 {
			return ""
		}
		return fmt.Sprintf("%d 项", len(x))
	case map[string]any:
		return "（见原始记录）"
	}
	return ""
}

// auditObject names a record's object: its kind, and its name when the record gives one.
type auditObject struct{ Kind, Name, Href string }

func objectOf(rec *qingqian.AuditRecord) auditObject {
	o := auditObject{Kind: qingqian.AuditEntityNames[rec.Entity]}
	if o.Kind == "" {
		o.Kind = "其他"
	}
	var m map[string]any
	if len(rec.After) > 0 {
		_ = json.Unmarshal(rec.After, &m)
	}
	for _, k := range []string{"name", "no", "title", "case_no", "contract_name", "username"} {
		if s, ok := m[k].(string); ok && s != "" {
			o.Name = s
			break
		}
	}
	if o.Name == "" && rec.Entity == "user" && rec.EntityID == rec.ActorID && rec.ActorName != "" {
		o.Name = rec.ActorName
	}
	if o.Name == "" && rec.EntityID > 0 {
		o.Name = "第 " + strconv.FormatInt(rec.EntityID, 10) + " 号"
	}
	if p, ok := entityPaths[rec.Entity]; ok && rec.EntityID > 0 {
		o.Href = p + strconv.FormatInt(rec.EntityID, 10)
	}
	return o
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
