<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>AuditsPage</name>
    <message>
        <source>Ledger scan</source>
        <translation>账簿扫描</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="127" />
        <location filename="../../desktop/ui/pages/checklists.py" line="409" />
        <source>Audits</source>
        <translation>经费审查</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="148" />
        <source>signed off</source>
        <translation>已签字</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="148" />
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="151" />
        <source>corrects an earlier checklist</source>
        <translation>更正此前的检查表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="173" />
        <source>Leave the checklist without saving?</source>
        <translation>检查表尚未保存，确定离开吗？</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="234" />
        <source>Not saved: correct the marked fields.</source>
        <translation>未保存：请更正标红的内容。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="242" />
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="254" />
        <source>After sign-off nobody can change this checklist; a correction becomes a new checklist. Sign off now?</source>
        <translation>签字确认后任何人都不能再修改此检查表，如需更正将另建新检查表。现在签字确认吗？</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="263" />
        <source>Not signed off: every item needs a result first.</source>
        <translation>未能签字确认：每个项目都须先填写检查结果。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="269" />
        <source>Signed off. The checklist is now read-only.</source>
        <translation>已签字确认，检查表现为只读。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="282" />
        <source>A correction was started as a new draft checklist.</source>
        <translation>已新建一份更正检查表（草稿）。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="307" />
        <source>Outcome recorded; it goes upward with the next sync.</source>
        <translation>整改结果已记录，将在下次同步时上报。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="316" />
        <source>blank-checklist</source>
        <translation>经费审查检查表-空白</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="340" />
        <source>checklist-report</source>
        <translation>经费审查报告</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="354" />
        <source>rectifications</source>
        <translation>整改事项清单</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="373" />
        <source>Printing…</source>
        <translation>正在生成 PDF…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="389" />
        <source>PDF saved: %1</source>
        <translation>PDF 已保存：%1</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="395" />
        <source>Printing cancelled; no file was written.</source>
        <translation>已取消打印，未生成文件。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="405" />
        <source>Save PDF</source>
        <translation>保存 PDF</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="418" />
        <source>This checklist was signed off and cannot change; start a correction.</source>
        <translation>此检查表已签字确认，不能修改；如需更正请新建更正检查表。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="429" />
        <source>Funds review (经费审查)</source>
        <translation>经费审查</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="430" />
        <source>Search by union or auditor</source>
        <translation>按单位或审查人查找</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="431" />
        <source>New checklist</source>
        <translation>新建检查表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="432" />
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="433" />
        <source>Print blank checklist</source>
        <translation>打印空白检查表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="434" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="435" />
        <source>Checklists</source>
        <translation>检查表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="436" />
        <source>Rectifications</source>
        <translation>整改跟踪</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="439" />
        <source>Audited union</source>
        <translation>被审查单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="440" />
        <source>Period</source>
        <translation>审查期间</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="441" />
        <source>Review date</source>
        <translation>审查日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="442" />
        <source>Auditors</source>
        <translation>审查人员</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="443" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="444" />
        <source>Non-compliant</source>
        <translation>不合规项</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="445" />
        <source>Amount in question (yuan)</source>
        <translation>涉及金额（元）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/pages/checklists.py" line="446" />
        <source>Note</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>ChecklistEditor</name>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="242" />
        <source>Pick from the union records…</source>
        <translation>从工会记录中选择…</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="280" />
        <source>Item %1: %2</source>
        <translation>第 %1 项：%2</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="286" />
        <source>… and %1 more</source>
        <translation>……另有 %1 处</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="335" />
        <source>%1 %2 · %3 %4 · %5 %6 · unanswered %7 · amount in question %8 yuan · rectifications %9</source>
        <translation>%1 %2 · %3 %4 · %5 %6 · 未填 %7 · 不合规涉及金额 %8 元 · 需整改 %9</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="353" />
        <source>How to check:</source>
        <translation>审查方法：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="354" />
        <source>Result keys: 1 compliant, 2 non-compliant, 3 not applicable, 0 clear</source>
        <translation>结果按键：1 合规，2 不合规，3 不适用，0 清除</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="367" />
        <source>Signed off: read-only</source>
        <translation>已签字确认（只读）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="369" />
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="369" />
        <source>Not saved yet</source>
        <translation>尚未保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="384" />
        <source>Audited union</source>
        <translation>被审查单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="385" />
        <source>Period from</source>
        <translation>审查期间起</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="386" />
        <source>Period to</source>
        <translation>审查期间止</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="387" />
        <source>Auditors</source>
        <translation>审查人员</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="388" />
        <source>Review date</source>
        <translation>审查日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="393" />
        <source>e.g. 2026-07-10</source>
        <translation>如 2026-07-10</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="394" />
        <source>Conclusion</source>
        <translation>审查意见</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="397" />
        <source>No.</source>
        <translation>序号</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="398" />
        <source>Item</source>
        <translation>检查项目</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="399" />
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="400" />
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="401" />
        <source>Finding</source>
        <translation>发现问题</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="402" />
        <source>Evidence</source>
        <translation>证据索引</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="403" />
        <source>Rectify</source>
        <translation>需整改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="404" />
        <source>Owner</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="405" />
        <source>Deadline</source>
        <translation>整改期限</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="408" />
        <source>Back to list</source>
        <translation>返回列表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="409" />
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="410" />
        <source>Sign off</source>
        <translation>签字确认</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="411" />
        <source>Start correction</source>
        <translation>新建更正</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_editor.py" line="412" />
        <source>Print report (PDF)</source>
        <translation>打印审查报告（PDF）</translation>
    </message>
</context>
<context>
    <name>RectificationsView</name>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="91" />
        <source>(%1 days)</source>
        <translation>（%1 天）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="93" />
        <source>(%1 days left)</source>
        <translation>（剩 %1 天）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="103" />
        <source>draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="122" />
        <source>Choose a rectification in the list first.</source>
        <translation>请先在列表中选择一项整改事项。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="130" />
        <source>open</source>
        <translation>未到期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="131" />
        <source>due soon</source>
        <translation>即将到期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="132" />
        <source>overdue</source>
        <translation>已逾期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="133" />
        <source>closed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="138" />
        <source>rectified</source>
        <translation>已整改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="139" />
        <source>partly rectified</source>
        <translation>部分整改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="140" />
        <source>not rectified</source>
        <translation>未整改</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="144" />
        <source>Rectifications of signed-off checklists, overdue first</source>
        <translation>已签字检查表的整改事项（逾期在前）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="145" />
        <source>Show rectified items</source>
        <translation>显示已整改事项</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="146" />
        <source>Print list (PDF)</source>
        <translation>打印清单（PDF）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="149" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="150" />
        <source>Union</source>
        <translation>单位</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="151" />
        <source>Item</source>
        <translation>检查项目</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="152" />
        <source>Finding</source>
        <translation>发现问题</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="153" />
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="154" />
        <source>Owner</source>
        <translation>责任人</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="155" />
        <source>Deadline</source>
        <translation>整改期限</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="156" />
        <location filename="../../desktop/ui/checklist_rectifications.py" line="167" />
        <source>Outcome</source>
        <translation>整改结果</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="157" />
        <source>Checklist</source>
        <translation>检查表</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="168" />
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="169" />
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/checklist_rectifications.py" line="170" />
        <source>Record outcome</source>
        <translation>记录整改结果</translation>
    </message>
</context>
<context>
    <name>LedgerScanView</name>
    <message>
        <source>%1 doubts, %2 still to check.</source>
        <translation>共 %1 个疑点，%2 个待核实。</translation>
    </message>
    <message>
        <source>%1 journal lines imported for %2.</source>
        <translation>已导入 %2 年度记账行 %1 行。</translation>
    </message>
    <message>
        <source>Amount (yuan)</source>
        <translation>金额（元）</translation>
    </message>
    <message>
        <source>Checklist item</source>
        <translation>检查项目</translation>
    </message>
    <message>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <source>Confirmed</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>核实结论</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>排除</translation>
    </message>
    <message>
        <source>Dismiss the doubt</source>
        <translation>排除疑点</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>已排除</translation>
    </message>
    <message>
        <source>Import a ledger</source>
        <translation>导入账簿</translation>
    </message>
    <message>
        <source>Import ledger…</source>
        <translation>导入账簿…</translation>
    </message>
    <message>
        <source>Journal export</source>
        <translation>序时账导出文件</translation>
    </message>
    <message>
        <source>PDF saved: %1</source>
        <translation>PDF 已保存：%1</translation>
    </message>
    <message>
        <source>Print doubts</source>
        <translation>打印疑点清单</translation>
    </message>
    <message>
        <source>Reading the ledger…</source>
        <translation>正在读取账簿…</translation>
    </message>
    <message>
        <source>Rule</source>
        <translation>规则</translation>
    </message>
    <message>
        <source>Say why the doubt is dismissed.</source>
        <translation>请填写排除疑点的理由。</translation>
    </message>
    <message>
        <source>Scan</source>
        <translation>扫描</translation>
    </message>
    <message>
        <source>Start a checklist for this union and year first.</source>
        <translation>请先为该工会和年度新建检查表。</translation>
    </message>
    <message>
        <source>To check</source>
        <translation>待核实</translation>
    </message>
    <message>
        <source>Union</source>
        <translation>工会</translation>
    </message>
    <message>
        <source>Vouchers</source>
        <translation>凭证字号</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>疑点说明</translation>
    </message>
    <message>
        <source>Year</source>
        <translation>年度</translation>
    </message>
    <message>
        <source>ledger-doubts</source>
        <translation>账簿疑点清单</translation>
    </message>
</context>
</TS>