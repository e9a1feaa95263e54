<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ReviewPage</name>
    <message>
        <source>Review</source>
        <translation>审核</translation>
    </message>
    <message>
        <source>Waiting for review</source>
        <translation>待审核</translation>
    </message>
    <message>
        <source>Returned</source>
        <translation>已退回</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已认可</translation>
    </message>
    <message>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Accept</source>
        <translation>审核通过</translation>
    </message>
    <message>
        <source>Return with comment</source>
        <translation>退回并附意见</translation>
    </message>
    <message>
        <source>Comment to the township (needed to return):</source>
        <translation>给乡镇（街道）的意见（退回时必填）：</translation>
    </message>
    <message>
        <source>Township</source>
        <translation>乡镇（街道）</translation>
    </message>
    <message>
        <source>Form</source>
        <translation>表单</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>版本</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>收到时间</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Review is for county reviewers. Sign in with a reviewer account.</source>
        <translation>审核仅供县级审核员使用。请用审核员账号登录。</translation>
    </message>
    <message>
        <source>This workspace is not enrolled with the county server yet. Enroll it on the Sync page with a reviewer code from the county.</source>
        <translation>本工作区尚未在县级服务器注册。请在“同步”页用县总工会提供的审核员注册码注册。</translation>
    </message>
    <message>
        <source>The county server cannot be reached. Check the network and press Refresh; no decision was lost.</source>
        <translation>无法连接县级服务器。请检查网络后点击“刷新”；已作出的审核决定不会丢失。</translation>
    </message>
    <message>
        <source>The county does not know this computer as a reviewer device.</source>
        <translation>县级服务器未将本机登记为审核设备。</translation>
    </message>
    <message>
        <source>Write a comment for the township before returning a record.</source>
        <translation>退回记录前，请填写给乡镇（街道）的意见。</translation>
    </message>
    <message>
        <source>Loading the queue from the county server…</source>
        <translation>正在从县级服务器读取待审核列表…</translation>
    </message>
    <message>
        <source>Waiting: {0}   Returned: {1}   Accepted: {2}</source>
        <translation>待审核：{0}   已退回：{1}   已认可：{2}</translation>
    </message>
    <message>
        <source>All townships</source>
        <translation>全部乡镇（街道）</translation>
    </message>
    <message>
        <source>All forms</source>
        <translation>全部表单</translation>
    </message>
    <message>
        <source>{0} records selected</source>
        <translation>已选择 {0} 条记录</translation>
    </message>
    <message>
        <source>Version {0} — received {1}</source>
        <translation>第 {0} 版 — 收到于 {1}</translation>
    </message>
    <message>
        <source>{0} by {1} at {2}: {3}</source>
        <translation>{0}（{1}，{2}）：{3}</translation>
    </message>
    <message>
        <source>not decided</source>
        <translation>尚未审核</translation>
    </message>
    <message>
        <source>Township audit-chain head: {0}</source>
        <translation>乡镇审计链末端：{0}</translation>
    </message>
    <message>
        <source>Select one or more records first.</source>
        <translation>请先选择一条或多条记录。</translation>
    </message>
    <message>
        <source>{0} of {1} decisions recorded.</source>
        <translation>已记录 {1} 条中的 {0} 条审核决定。</translation>
    </message>
    <message>
        <source>The others changed meanwhile (a newer version or decision).</source>
        <translation>其余记录在此期间已有变化（新版本或已有审核决定）。</translation>
    </message>
    <message>
        <source>&amp;Show personal values</source>
        <translation>显示个人信息(&amp;S)</translation>
    </message>
    <message>
        <source>Shows the ID numbers and phone numbers in this record; the county server logs every viewing.</source>
        <translation>查看记录中的身份证号和手机号；县级服务器会记录每次查看</translation>
    </message>
    <message>
        <source>Sensitive values are masked (ID numbers, phones).</source>
        <translation>敏感信息已隐藏（身份证号、手机号）</translation>
    </message>
    <message>
        <source>Personal values shown in full; the county server logged this viewing.</source>
        <translation>正在显示完整的个人信息；县级服务器已记录本次查看。</translation>
    </message>
    <message>
        <source>This computer may not see unmasked personal values. Ask the county's administrator for the permission.</source>
        <translation>本设备无权查看未隐藏的个人信息，请联系县级管理员授权</translation>
    </message>
</context>
</TS>
