package qingqian

// AuditAction is the code of what an audit record records, such as "entry.repay".
type AuditAction string

// CaseChanges are the changes of a case recorded as "case."+change.
var CaseChanges = []string{"update", "event", "decide"}

// AuditActionNames are the screen names of every action the trail holds: one table for the
// audit page, an item's history and the printouts (a test walks the sources for the codes).
var AuditActionNames = map[string]string{
	"item.create":             "新增欠款条目",
	"item.import":             "导入欠款条目",
	"item.update":             "修改条目信息",
	"entry.recognise":         "确认欠款",
	"entry.repay":             "录入清偿",
	"entry.adjust":            "录入调整",
	"entry.court_reduction":   "录入法院核减",
	"entry.write_off":         "录入核销",
	"entry.reclassify":        "分歧与无分歧互转",
	"entry.reversal":          "冲正",
	"plan.revise":             "修订清偿计划",
	"voucher.upload":          "上传支付凭证",
	"voucher.attach":          "补传支付凭证",
	"voucher.download":        "查看或下载支付凭证",
	"org.create":              "新增单位",
	"org.update":              "修改单位",
	"org.move":                "调整上级单位",
	"org.delete":              "删除单位",
	"creditor.create":         "新增债权企业",
	"creditor.update":         "修改债权企业",
	"creditor.change_request": "申请更正债权企业信息",
	"creditor.change_approve": "同意更正债权企业信息",
	"creditor.change_reject":  "驳回更正债权企业信息",
	"user.create":             "新增用户",
	"user.update":             "修改用户",
	"user.roles":              "调整用户角色",
	"user.reset_password":     "重置密码",
	"user.change_password":    "修改密码",
	"user.totp_enable":        "启用动态口令",
	"user.totp_disable":       "停用动态口令",
	"user.login":              "登录",
	"user.login_failed":       "登录失败",
	"user.locked":             "账号因多次登录失败被锁定",
	"user.login_locked":       "锁定期间尝试登录",
	"user.login_throttled":    "登录过于频繁被拒绝",
	"token.create":            "创建接口令牌",
	"token.revoke":            "吊销接口令牌",
	"security.policy":         "修改安全策略",
	"security.denied":         "越权访问被拒绝",
	"security.source_locked":  "来源地址被锁定",
	"period.open":             "开启报送期次",
	"submission.prepare":      "填报",
	"submission.review":       "审核",
	"submission.approve":      "签批报送",
	"submission.return":       "退回报送",
	"submission.check":        "核查零报告",
	"report.issue":            "印发汇总表",
	"settings.slow_rule":      "修改预警规则",
	"notice.issue":            "下发督办通知",
	"notice.reply":            "回复督办通知",
	"notice.close":            "督办销号",
	"interview.record":        "记录约谈",
	"interview.follow_up":     "跟踪约谈承诺",
	"clue.create":             "登记投诉线索",
	"clue.assign":             "交办线索",
	"clue.verify":             "核实线索",
	"clue.link":               "关联台账条目",
	"clue.update":             "更正线索日期",
	"clue.extend":             "延长办理期限",
	"clue.close":              "线索销号",
	"clue.feedback":           "反馈投诉人",
	"clue.callback":           "回访投诉人",
	"clue.missing_debt":       "按线索补录漏报欠款",
	"case.create":             "登记诉讼仲裁案件",
	"case.update":             "修改案件",
	"case.event":              "记录案件进展",
	"case.decide":             "记录裁判结果",
	"cause.set":               "填写欠款原因",
	"calendar.set":            "录入节假日安排",
	"lpr.set":                 "录入贷款市场报价利率",
	"contract.create":         "登记合同",
	"contract.event":          "记录合同履行事项",
	"contract.events":         "导入合同履行事项",
	"campaign.launch":         "发起专项行动",
	"campaign.prepare":        "填报专项自查",
	"campaign.review":         "审核专项自查",
	"campaign.approve":        "签批专项自查",
	"campaign.return":         "退回专项自查",
	"campaign.close":          "结束专项行动",
	"circular.send":           "印发通报",
	"circular.sign":           "签发通报",
	"circular.reply":          "回复通报",
	"disclosure.prepare":      "编制信息公开",
	"disclosure.sign":         "签发信息公开",
	"audit.search":            "查询审计日志",
	"data.export":             "导出数据",
	"personal.view":           "查看个人信息",
}

// Label is how the action reads on screens and in spreadsheets; an unknown code reads 其他操作.
func (a AuditAction) Label() string {
	if l, ok := AuditActionNames[string(a)]; ok {
		return l
	}
	return "其他操作"
}

// AuditEntityNames name the objects the trail speaks of.
var AuditEntityNames = map[string]string{
	"item": "欠款条目", "org": "单位", "creditor": "债权企业", "user": "用户", "voucher": "支付凭证", "token": "接口令牌",
	"settings": "系统设置", "export": "数据导出", "audit": "审计日志", "period": "报送期次", "submission": "报送",
	"report": "汇总表", "notice": "督办通知", "interview": "约谈", "clue": "投诉线索", "case": "诉讼仲裁案件",
	"campaign": "专项行动", "campaign_answer": "专项自查", "circular": "通报", "disclosure": "信息公开", "contract": "合同",
	"calendar": "节假日安排", "lpr": "贷款市场报价利率", "cause": "欠款原因", "security": "安全策略",
}
