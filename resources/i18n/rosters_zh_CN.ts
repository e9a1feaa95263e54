<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
  <context>
    <name>RosterActions</name>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="1" />
      <source>Incoming transfers…</source>
      <translation>转入申请…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="36" />
      <source>Full ID numbers?</source>
      <translation>显示完整号码？</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="38" />
      <source>Write ID numbers and phone numbers in full? Each member shown in full is recorded in the audit log. Choose No for masked numbers (3301**********1234).</source>
      <translation>是否输出完整的身份证号码和手机号码？每条完整显示的会员记录都会记入审计日志。选“否”则输出遮蔽的号码（3301**********1234）。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="52" />
      <location filename="../../desktop/ui/export_actions.py" line="133" />
      <source>Print roster</source>
      <translation>打印花名册</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="52" />
      <source>Union</source>
      <translation>工会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="81" />
      <source>members</source>
      <translation>会员</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="81" />
      <source>unions</source>
      <translation>工会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="84" />
      <source>Export %1</source>
      <translation>导出%1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="86" />
      <source>Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)</source>
      <translation>Excel 工作簿 (*.xlsx);;CSV，UTF-8 (*.csv)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="109" />
      <source>%1 records written to %2</source>
      <translation>已导出 %1 条记录到 %2</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="112" />
      <source> (ID and phone numbers masked)</source>
      <translation>（身份证号码、手机号码已遮蔽）</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="133" />
      <source>member roster</source>
      <translation>会员花名册</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="144" />
      <source>Roster saved: %1</source>
      <translation>花名册已保存：%1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="155" />
      <location filename="../../desktop/ui/export_actions.py" line="171" />
      <source>Your role may not change member records.</source>
      <translation>您的角色不能修改会员信息。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="183" />
      <source>Import…</source>
      <translation>导入…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="185" />
      <source>Export members…</source>
      <translation>导出会员…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="187" />
      <source>Export unions…</source>
      <translation>导出工会…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="189" />
      <source>Print roster…</source>
      <translation>打印花名册…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="191" />
      <source>Transfer…</source>
      <translation>转会…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/export_actions.py" line="198" />
      <source>Export</source>
      <translation>导出</translation>
    </message>
  </context>
  <context>
    <name>ImportDialog</name>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="72" />
      <location filename="../../desktop/ui/import_dialog.py" line="209" />
      <source>Import members</source>
      <translation>导入会员</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="84" />
      <source>Back</source>
      <translation>上一步</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="85" />
      <location filename="../../desktop/ui/import_dialog.py" line="232" />
      <source>Next</source>
      <translation>下一步</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="87" />
      <location filename="../../desktop/ui/import_dialog.py" line="234" />
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="107" />
      <source>Choose file…</source>
      <translation>选择文件…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="113" />
      <source>Save the blank template…</source>
      <translation>保存空白导入模板…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="119" />
      <source>Choose a spreadsheet (Excel .xlsx / .xls, WPS .et, OpenDocument .ods) or a CSV file with one member per row. Nothing is saved until you confirm the checked rows.</source>
      <translation>请选择每行一名会员的电子表格（Excel .xlsx / .xls、WPS .et、.ods）或 CSV 文件。检查完毕并确认之前不会保存任何数据。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="125" />
      <source>File</source>
      <translation>文件</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="126" />
      <source>Members join</source>
      <translation>导入到工会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="134" />
      <source>Column in the file</source>
      <translation>文件中的列</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="134" />
      <source>First value</source>
      <translation>第一行的值</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="134" />
      <source>Fills the field</source>
      <translation>对应字段</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="149" />
      <location filename="../../desktop/ui/import_dialog.py" line="155" />
      <source>Row</source>
      <translation>行号</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="149" />
      <source>Column</source>
      <translation>列</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="149" />
      <source>What is wrong</source>
      <translation>错误说明</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="155" />
      <source>ID number</source>
      <translation>证件号码</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="155" />
      <source>Same as</source>
      <translation>重复于</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="160" />
      <source>Rows with errors</source>
      <translation>有错误的行</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="165" />
      <source>Duplicates:</source>
      <translation>重复的会员：</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="167" />
      <source>Skip them</source>
      <translation>跳过</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="168" />
      <source>Update the member already saved</source>
      <translation>更新已有会员</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="169" />
      <source>Keep both</source>
      <translation>两条都保留</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="180" />
      <source>Duplicates</source>
      <translation>重复</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="181" />
      <location filename="../../desktop/ui/import_dialog.py" line="196" />
      <source>Save error report…</source>
      <translation>保存错误报告…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="209" />
      <source>Spreadsheets (*.xlsx *.xlsm *.xls *.et *.ods *.csv)</source>
      <translation>电子表格 (*.xlsx *.xlsm *.xls *.et *.ods *.csv)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="215" />
      <source>Save as</source>
      <translation>另存为</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="215" />
      <source>Excel workbook (*.xlsx)</source>
      <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="232" />
      <source>Check rows</source>
      <translation>检查数据</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="232" />
      <source>Import</source>
      <translation>导入</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="234" />
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="265" />
      <source>Choose the file to import.</source>
      <translation>请选择要导入的文件。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="268" />
      <source>Enter the union first: members are imported into a union.</source>
      <translation>请先录入工会：会员需要导入到某个工会。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="284" />
      <source>%1: header in row %2. Check which field each column fills.</source>
      <translation>%1：表头在第 %2 行。请核对每一列对应的字段。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="300" />
      <source>(not imported)</source>
      <translation>（不导入）</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="324" />
      <source>Two columns fill the same field: choose one of them.</source>
      <translation>有两列对应同一个字段，请只保留一列。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="342" />
      <source>Checking was cancelled.</source>
      <translation>检查已取消。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="346" />
      <source>%1 rows: %2 can be imported, %3 have errors, %4 duplicates.</source>
      <translation>共 %1 行：%2 行可以导入，%3 行有错误，%4 行重复。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="357" />
      <source>ID numbers must be unique in the workspace</source>
      <translation>工作区内证件号码不能重复</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="380" />
      <source>row %1 of this file</source>
      <translation>本文件第 %1 行</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="382" />
      <source>member %1 already saved</source>
      <translation>已有会员 %1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="411" />
      <source>%1 new members saved, %2 updated.</source>
      <translation>新增会员 %1 名，更新 %2 名。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="417" />
      <source>%1 rows skipped (see the error report for why).</source>
      <translation>跳过 %1 行（原因见错误报告）。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="420" />
      <source>%1 rows refused.</source>
      <translation>%1 行未能保存。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="423" />
      <source>%1 rows with errors were not imported.</source>
      <translation>%1 行有错误，未导入。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="432" />
      <source>Cancelled: rows %1 were imported; %2 rows were not.</source>
      <translation>已取消：第 %1 行已导入，其余 %2 行未导入。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="480" />
      <source>Cancelling…</source>
      <translation>正在取消…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="488" />
      <source>member import template</source>
      <translation>会员导入模板</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="498" />
      <source>errors</source>
      <translation>错误报告</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Compared with the saved member</source>
      <translation>与已保存会员相比</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Member</source>
      <translation>会员</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Columns that differ</source>
      <translation>不同的列</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Already saved</source>
      <translation>已在工作区</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Gender or birth date contradicting the ID number:</source>
      <translation>性别或出生日期与身份证号不一致时：</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Take the ID number&apos;s value</source>
      <translation>按身份证号导入</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Leave the row out</source>
      <translation>不导入该行</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>As typed</source>
      <translation>表中填写</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>From the ID number</source>
      <translation>身份证号显示</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Contradicting the ID number</source>
      <translation>与身份证号不一致</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>Of the good rows: %1 new, %2 unchanged, %3 changed, %4 conflicting, %5 repeated in the file; %6 contradict their ID number.</source>
      <translation>可导入的行中：新会员 %1，与已保存相同 %2，有改动 %3，姓名冲突 %4，文件内重复 %5；与身份证号不一致 %6 行。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>unchanged</source>
      <translation>相同</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>changed</source>
      <translation>有改动</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>another name under this ID number</source>
      <translation>该身份证号属于另一姓名</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/import_dialog.py" line="1" />
      <source>%1 rows equal to the saved member: nothing written.</source>
      <translation>%1 行与已保存的会员相同，未写入。</translation>
    </message>
  </context>
  <context>
    <name>TransferDialog</name>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="43" />
      <source>Transfer membership</source>
      <translation>会员转会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="47" />
      <source>To a union of this township</source>
      <translation>转到本乡镇（街道）的工会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="48" />
      <source>To a union of another township</source>
      <translation>转到其他乡镇（街道）的工会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="56" />
      <source>org-unit code, e.g. 330106008</source>
      <translation>组织代码，如 330106008</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="63" />
      <location filename="../../desktop/ui/transfer_dialog.py" line="68" />
      <source>Transfer</source>
      <translation>转会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="65" />
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="70" />
      <location filename="../../desktop/ui/transfer_dialog.py" line="79" />
      <source>Member</source>
      <translation>会员</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="73" />
      <source>Receiving township</source>
      <translation>接收方乡镇（街道）</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="74" />
      <location filename="../../desktop/ui/transfer_dialog.py" line="79" />
      <source>Date</source>
      <translation>日期</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="75" />
      <source>Reason</source>
      <translation>原因</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="79" />
      <source>To</source>
      <translation>转入</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="79" />
      <source>Requested by</source>
      <translation>申请人</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="83" />
      <source>Confirmed by the other side</source>
      <translation>对方已确认接收</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="85" />
      <source>Refused / withdrawn</source>
      <translation>对方不接收 / 撤回</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="87" />
      <source>Transfers to other townships waiting for confirmation</source>
      <translation>等待对方确认的跨乡镇转会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="114" />
      <source>(select a member on the Members page first)</source>
      <translation>（请先在会员页选中一名会员）</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/transfer_dialog.py" line="156" />
      <source>Choose the union the member moves to.</source>
      <translation>请选择转入的工会。</translation>
    </message>
  </context>
  <context>
    <name>IncomingTransfersDialog</name>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Incoming transfers</source>
      <translation>转入申请</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Member</source>
      <translation>会员</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>From</source>
      <translation>转出方</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Union named</source>
      <translation>申请转入工会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Date</source>
      <translation>日期</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Reason</source>
      <translation>原因</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>No transfers from other townships are waiting.</source>
      <translation>没有待处理的外乡镇（街道）转入申请。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>required when refusing</source>
      <translation>拒收时必须填写</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Accept</source>
      <translation>接收</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Refuse</source>
      <translation>拒收</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Into union</source>
      <translation>转入工会</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Note</source>
      <translation>说明</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Say why the transfer is refused (Note).</source>
      <translation>请在“说明”中写明拒收原因。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Choose a transfer and the union to take it into.</source>
      <translation>请选择一条转入申请和接收的工会。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>%1 joined %2; the answer goes to the county with the next sync.</source>
      <translation>%1 已转入 %2；答复将在下次同步时报送县（区）总工会。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/incoming_transfers.py" line="1" />
      <source>Refused; the answer goes to the county with the next sync.</source>
      <translation>已拒收；答复将在下次同步时报送县（区）总工会。</translation>
    </message>
  </context>
</TS>