<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>EnrollWorkspaceDialog</name>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="41"/>
        <source>Enroll with the county server</source>
        <translation>向县级服务器注册</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="52"/>
        <source>Org-unit code</source>
        <translation>组织单位代码</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="53"/>
        <source>Org-unit name</source>
        <translation>组织单位名称</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="54"/>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="55"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="56"/>
        <source>County server address</source>
        <translation>县级服务器地址</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="57"/>
        <source>Enrollment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="70"/>
        <source>The org-unit code has 6, 9 or 12 digits.</source>
        <translation>组织单位代码应为 6、9 或 12 位数字。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="72"/>
        <source>Fill in the org-unit name and the administrator.</source>
        <translation>请填写组织单位名称和管理员。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="74"/>
        <source>Choose a stronger password, typed the same twice.</source>
        <translation>请设置更强的密码，并两次输入一致。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="76"/>
        <source>Give the county server&apos;s https:// address and the code.</source>
        <translation>请填写县级服务器的 https:// 地址和注册码。</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="141"/>
        <source>Contacting the county server…</source>
        <translation>正在连接县级服务器…</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>确定</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>dialog</name>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="106"/>
        <source>Recovery key (shown once; write it down and keep it locked away):</source>
        <translation>恢复密钥（只显示一次，请抄写并妥善锁存）：</translation>
    </message>
    <message>
        <location filename="../../desktop/ui/sync_enroll_dialog.py" line="114"/>
        <source>The workspace was created, but enrollment failed: %1
You can enroll later on the Sync page.</source>
        <translation>工作区已创建，但注册失败：%1
可稍后在“同步”页面重新注册。</translation>
    </message>
</context>
</TS>
