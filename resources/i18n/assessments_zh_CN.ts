<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AssessmentsPage</name>
    <message>
        <location filename="../../desktop/ui/pages/assessments.py" line="+94" />
        <source>Assessments</source>
        <translation>会员评家</translation>
    </message>
    <message>
        <location line="+24" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+65" />
        <source>Member assessment of the union</source>
        <translation>会员评议职工之家</translation>
    </message>
    <message>
        <location line="+1" />
        <location line="+6" />
        <source>Year</source>
        <translation>年度</translation>
    </message>
    <message>
        <location line="-5" />
        <source>New session</source>
        <translation>新建测评</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Union</source>
        <translation>基层工会</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Meeting date</source>
        <translation>会议日期</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Satisfaction</source>
        <translation>满意率</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Rectification</source>
        <translation>整改</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>BallotKeyer</name>
    <message>
        <location filename="../../desktop/ui/assessment_keying.py" line="+146" />
        <source>This ballot is marked invalid: Backspace to undo that.</source>
        <translation>本票已标为废票；按退格键可撤销。</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Every item has a grade: press Enter for the next ballot.</source>
        <translation>各项目均已选定等级：按回车录入下一张。</translation>
    </message>
    <message>
        <location line="+14" />
        <source>Finish this ballot (Enter) or clear it (Escape) first.</source>
        <translation>请先完成本票（回车）或清除（Esc）。</translation>
    </message>
    <message>
        <location line="+22" />
        <source>Ballot incomplete: no grade yet for “%1”.</source>
        <translation>选票不完整：“%1”还没有等级。</translation>
    </message>
    <message>
        <location line="+34" />
        <source>Correcting ballot %1</source>
        <translation>正在更正第 %1 张</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Ballot %1</source>
        <translation>第 %1 张</translation>
    </message>
    <message>
        <location line="+4" />
        <source>invalid</source>
        <translation>废票</translation>
    </message>
    <message>
        <location line="+19" />
        <source>Ballots keyed: %1 · valid: %2 · invalid: %3</source>
        <translation>已录入 %1 张 · 有效 %2 张 · 废票 %3 张</translation>
    </message>
    <message>
        <location line="+32" />
        <source>Keys: %1 · 0 or X invalid ballot · Enter next ballot · Backspace undo · Up/Down or double-click a ballot to correct it</source>
        <translation>按键：%1 · 0 或 X 废票 · 回车 下一张 · 退格 撤销 · 上下方向键或双击已录选票可更正</translation>
    </message>
    <message>
        <location line="+4" />
        <source>Item</source>
        <translation>测评项目</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Grade</source>
        <translation>等级</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Satisfaction</source>
        <translation>满意率</translation>
    </message>
    <message>
        <location line="+4" />
        <source>Running tally</source>
        <translation>实时计票</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Keyed ballots</source>
        <translation>已录选票</translation>
    </message>
</context>
<context>
    <name>RectificationTable</name>
    <message>
        <location filename="../../desktop/ui/assessment_rectifications.py" line="+97" />
        <source>Rectification items</source>
        <translation>整改事项</translation>
    </message>
    <message>
        <location line="+3" />
        <source>What</source>
        <translation>整改事项</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Owner</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Deadline (YYYY-MM-DD)</source>
        <translation>整改期限（年-月-日）</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Done on</source>
        <translation>完成日期</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Outcome</source>
        <translation>整改结果</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Add item</source>
        <translation>添加事项</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Remove item</source>
        <translation>删除事项</translation>
    </message>
</context>
<context>
    <name>ResultView</name>
    <message>
        <location filename="../../desktop/ui/assessment_result.py" line="+48" />
        <source>The numbers do not agree yet:</source>
        <translation>数字尚不一致：</translation>
    </message>
    <message>
        <location line="+3" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Quorum met</source>
        <translation>到会人数达到要求</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Valid ballots</source>
        <translation>有效票</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Overall satisfaction</source>
        <translation>总体满意率</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Rectification required</source>
        <translation>需要整改</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Model-home eligible</source>
        <translation>符合模范职工之家条件</translation>
    </message>
    <message>
        <location line="+9" />
        <source>Rule: quorum %1 of eligible; satisfaction = (satisfied + basically satisfied) / valid; rectification when unsatisfied &gt; %2; model home at %3 or more.</source>
        <translation>规则：实到不少于应到的 %1；满意率 =（满意 + 基本满意）÷ 有效票；不满意超过 %2 须整改；满意率达到 %3 及以上可申报模范职工之家。</translation>
    </message>
</context>
<context>
    <name>SessionEditor</name>
    <message>
        <location filename="../../desktop/ui/assessment_editor.py" line="+64" />
        <source>row %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <location line="+208" />
        <source>This session is signed off or with the county: it cannot change now.</source>
        <translation>此测评记录已签署或正由上级工会审核，现在不能修改。</translation>
    </message>
    <message>
        <location line="+115" />
        <source>Choose the union first.</source>
        <translation>请先选择基层工会。</translation>
    </message>
    <message>
        <location line="+8" />
        <source>Saved with its result.</source>
        <translation>已保存，测评结果已计算。</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Saved as a draft: the numbers do not agree yet, so no result.</source>
        <translation>已存为草稿：数字尚不一致，暂无测评结果。</translation>
    </message>
    <message>
        <location line="+24" />
        <source>Unsaved changes</source>
        <translation>尚未保存</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Leave without saving? What was entered since the last save is lost.</source>
        <translation>不保存就离开吗？上次保存后录入的内容将丢失。</translation>
    </message>
    <message>
        <location line="+33" />
        <source>Printed to %1</source>
        <translation>已打印到 %1</translation>
    </message>
    <message>
        <location line="+6" />
        <source>Save a session whose numbers agree first.</source>
        <translation>请先保存数字一致的测评记录。</translation>
    </message>
    <message>
        <location line="+8" />
        <source>Save first: the printout shows the saved session.</source>
        <translation>请先保存：打印的是已保存的内容。</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Save PDF</source>
        <translation>保存 PDF</translation>
    </message>
    <message>
        <location line="+7" />
        <source>Meeting</source>
        <translation>测评会议</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Turnout and ballots</source>
        <translation>到会与票数</translation>
    </message>
    <message>
        <location line="+4" />
        <source>Union</source>
        <translation>基层工会</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Year</source>
        <translation>年度</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Meeting date</source>
        <translation>会议日期</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Meeting kind</source>
        <translation>会议形式</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Template</source>
        <translation>测评模板</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Reason for a repeat</source>
        <translation>重复测评理由</translation>
    </message>
    <message>
        <location line="+8" />
        <source>Eligible voters</source>
        <translation>应到人数</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Attendees</source>
        <translation>实到人数</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Ballots issued</source>
        <translation>发出票数</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Ballots returned</source>
        <translation>收回票数</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Invalid ballots</source>
        <translation>废票</translation>
    </message>
    <message>
        <location line="+7" />
        <source>Members' assembly</source>
        <translation>会员大会</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Members' representatives' assembly</source>
        <translation>会员代表大会</translation>
    </message>
    <message>
        <location line="+3" />
        <source>Only when the union already has a session this year</source>
        <translation>仅在本年度已有测评时填写</translation>
    </message>
    <message>
        <location line="+2" />
        <source>Typed totals</source>
        <translation>录入合计</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Ballot by ballot</source>
        <translation>逐票录入</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Back to the list</source>
        <translation>返回列表</translation>
    </message>
    <message>
        <location line="+1" />
        <source> copies</source>
        <translation> 份</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Print ballot sheets</source>
        <translation>打印测评票</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Print tally sheet</source>
        <translation>打印计票表</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Print result notice</source>
        <translation>打印结果公示</translation>
    </message>
</context>
<context>
    <name>SummaryPanel</name>
    <message>
        <location filename="../../desktop/ui/assessment_summary.py" line="+77" />
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0" />
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+20" />
        <source>%1: %2 unions assessed, %3 without a session, %4 rectification items overdue</source>
        <translation>%1 年：已测评 %2 个工会，%3 个尚未测评，%4 项整改逾期</translation>
    </message>
    <message>
        <location line="+18" />
        <source>Satisfaction per union</source>
        <translation>各工会满意率</translation>
    </message>
    <message>
        <location line="+1" />
        <source>No session this year</source>
        <translation>本年度尚未测评</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Rectification past its deadline</source>
        <translation>逾期未完成的整改</translation>
    </message>
    <message>
        <location line="+3" />
        <location line="+7" />
        <location line="+2" />
        <source>Union</source>
        <translation>基层工会</translation>
    </message>
    <message>
        <location line="-8" />
        <source>Satisfaction</source>
        <translation>满意率</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Quorum</source>
        <translation>到会</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Rectification</source>
        <translation>整改</translation>
    </message>
    <message>
        <location line="+1" />
        <source>Model home</source>
        <translation>模范职工之家</translation>
    </message>
    <message>
        <location line="+5" />
        <source>What</source>
        <translation>整改事项</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Owner</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location line="+0" />
        <source>Deadline</source>
        <translation>整改期限</translation>
    </message>
</context>
</TS>