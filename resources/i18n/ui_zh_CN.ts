<?xml version='1.0' encoding='utf-8'?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>DashboardPage</name>
    <message>
        <source>Open audit rectifications</source>
        <translation>经审待整改事项</translation>
    </message>
    <message>
        <source>Member assessment this year</source>
        <translation>本年度会员评家</translation>
    </message>
    <message>
        <source>Dashboard</source>
        <translation>仪表盘</translation>
    </message>
    <message>
        <source>Members</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>Grassroots unions</source>
        <translation>基层工会</translation>
    </message>
    <message>
        <source>Female members</source>
        <translation>女会员</translation>
    </message>
    <message>
        <source>Migrant-worker members</source>
        <translation>农民工会员</translation>
    </message>
    <message>
        <source>New-employment-form members</source>
        <translation>新就业形态会员</translation>
    </message>
    <message>
        <source>Records not yet synced</source>
        <translation>尚未同步的记录</translation>
    </message>
    <message>
        <source>Records returned by the county</source>
        <translation>县总工会退回的记录</translation>
    </message>
    <message>
        <source>Members by union</source>
        <translation>各基层工会会员人数</translation>
    </message>
</context>
<context>
    <name>Display</name>
    <message>
        <source>Yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>No</source>
        <translation>否</translation>
    </message>
    <message>
        <source>%1 row(s)</source>
        <translation>%1 行</translation>
    </message>
</context>
<context>
    <name>FirstRunScreen</name>
    <message>
        <source>The org unit code is the 6, 9 or 12-digit division code.</source>
        <translation>单位代码为 6 位、9 位或 12 位行政区划代码。</translation>
    </message>
    <message>
        <source>Enter the org unit's name.</source>
        <translation>请填写组织单位名称。</translation>
    </message>
    <message>
        <source>Enter a user name for the administrator.</source>
        <translation>请填写管理员的用户名。</translation>
    </message>
    <message>
        <source>Save the recovery key as PDF</source>
        <translation>将恢复密钥保存为 PDF</translation>
    </message>
    <message>
        <source>Saved to %1</source>
        <translation>已保存到 %1</translation>
    </message>
    <message>
        <source>Could not write the PDF: %1</source>
        <translation>无法写入 PDF：%1</translation>
    </message>
    <message>
        <source>Choose a backup file</source>
        <translation>选择备份文件</translation>
    </message>
    <message>
        <source>Choose the backup file to restore.</source>
        <translation>请选择要恢复的备份文件。</translation>
    </message>
    <message>
        <source>Welcome to UnionDesk</source>
        <translation>欢迎使用工会通</translation>
    </message>
    <message>
        <source>No workspace on this computer yet. Create one, restore a backup, or enroll with your county federation.</source>
        <translation>这台电脑上还没有工作区。请新建工作区、从备份恢复，或向县总工会登记。</translation>
    </message>
    <message>
        <source>Create a workspace</source>
        <translation>新建工作区</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>Enroll with the county</source>
        <translation>向县总工会登记</translation>
    </message>
    <message>
        <source>Org unit code</source>
        <translation>单位代码</translation>
    </message>
    <message>
        <source>e.g. 330106001</source>
        <translation>例如 330106001</translation>
    </message>
    <message>
        <source>Org unit name</source>
        <translation>单位名称</translation>
    </message>
    <message>
        <source>e.g. 西溪街道总工会</source>
        <translation>例如 西溪街道总工会</translation>
    </message>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Create workspace</source>
        <translation>创建工作区</translation>
    </message>
    <message>
        <source>This is the workspace's recovery key. It is shown only now. Print it or write it down and keep it locked away: it opens the workspace when every password is lost.</source>
        <translation>这是本工作区的恢复密钥，只显示这一次。请打印或抄写下来并锁好保管：所有密码都遗失时，凭它可以打开工作区。</translation>
    </message>
    <message>
        <source>Print recovery key…</source>
        <translation>打印恢复密钥…</translation>
    </message>
    <message>
        <source>I have printed or written down the recovery key</source>
        <translation>我已打印或抄写恢复密钥</translation>
    </message>
    <message>
        <source>Continue</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>Restore a UnionDesk backup file, with a user's password or the recovery key.</source>
        <translation>用某个用户的密码或恢复密钥，恢复工会通的备份文件。</translation>
    </message>
    <message>
        <source>Backup file</source>
        <translation>备份文件</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Password or recovery key</source>
        <translation>密码或恢复密钥</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>恢复</translation>
    </message>
    <message>
        <source>Your county federation gives you an enrollment code; the workspace is then set up from the county server.</source>
        <translation>县总工会会提供登记码；登记后将从县级服务器建立工作区。</translation>
    </message>
    <message>
        <source>Enrollment with a county server is not available in this version yet.</source>
        <translation>此版本暂不支持向县级服务器登记。</translation>
    </message>
    <message>
        <source>Enroll…</source>
        <translation>登记…</translation>
    </message>
</context>
<context>
    <name>FormView</name>
    <message>
        <source>row %1</source>
        <translation>第 %1 行</translation>
    </message>
    <message>
        <source>Please correct these fields before saving:</source>
        <translation>保存前请更正以下各项：</translation>
    </message>
    <message>
        <source>Discard changes?</source>
        <translation>放弃修改？</translation>
    </message>
    <message>
        <source>The typed text is not saved. Discard it?</source>
        <translation>输入的内容尚未保存，确定放弃吗？</translation>
    </message>
</context>
<context>
    <name>LoginScreen</name>
    <message>
        <source>Enter your user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>Enter your password.</source>
        <translation>请输入密码。</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>UnionDesk locked itself after a while without use. Enter your password to continue where you were.</source>
        <translation>工会通在一段时间无操作后已自动锁定。输入密码即可从刚才的位置继续。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>UnionDesk</source>
        <translation>工会通</translation>
    </message>
    <message>
        <source>Sign in to the workspace of %1</source>
        <translation>登录 %1 的工作区</translation>
    </message>
    <message>
        <source>Sign in to your workspace</source>
        <translation>登录工作区</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Backup restored. The previous workspace was kept in %1</source>
        <translation>备份已恢复。原工作区保存在 %1</translation>
    </message>
    <message>
        <source>Locked</source>
        <translation>已锁定</translation>
    </message>
    <message>
        <source>User: %1 (%2)</source>
        <translation>用户：%1（%2）</translation>
    </message>
    <message>
        <source>Org unit: %1</source>
        <translation>单位：%1</translation>
    </message>
    <message>
        <source>Waiting to sync: %1</source>
        <translation>待同步：%1</translation>
    </message>
    <message>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>UnionDesk</source>
        <translation>工会通</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Lock now</source>
        <translation>立即锁定</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>有未保存的修改</translation>
    </message>
    <message>
        <source>Some typed text is not saved yet. Quit anyway and lose it?</source>
        <translation>有输入的内容尚未保存。仍要退出并放弃这些内容吗？</translation>
    </message>
    <message>
        <source>Writing a backup…</source>
        <translation>正在写入备份…</translation>
    </message>
    <message>
        <source>Writing a backup before closing…</source>
        <translation>正在写入备份，完成后自动关闭…</translation>
    </message>
    <message>
        <source>Closing</source>
        <translation>正在关闭</translation>
    </message>
</context>
<context>
    <name>MembersPage</name>
    <message>
        <source>Members</source>
        <translation>会员</translation>
    </message>
    <message>
        <source>Search by name (part of it), ID number or phone (first digits)</source>
        <translation>按姓名（部分）、证件号码或手机号（开头几位）搜索</translation>
    </message>
    <message>
        <source>All unions</source>
        <translation>全部基层工会</translation>
    </message>
    <message>
        <source>members of %1</source>
        <translation>%1 的会员</translation>
    </message>
</context>
<context>
    <name>NewPasswordWidget</name>
    <message>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Repeat password</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>强度</translation>
    </message>
</context>
<context>
    <name>PasswordStrength</name>
    <message>
        <source>Use at least %1 characters.</source>
        <translation>密码至少需要 %1 个字符。</translation>
    </message>
    <message>
        <source>This password is too easy to guess.</source>
        <translation>这个密码太容易被猜到。</translation>
    </message>
    <message>
        <source>Mix at least %1 of: lower-case letters, capitals, digits, symbols (or use %2+ characters).</source>
        <translation>请至少混合小写字母、大写字母、数字、符号中的 %1 类（或使用 %2 个以上字符）。</translation>
    </message>
    <message>
        <source>Do not put the user name in the password.</source>
        <translation>密码中不要包含用户名。</translation>
    </message>
    <message>
        <source>Too weak</source>
        <translation>太弱</translation>
    </message>
    <message>
        <source>Weak</source>
        <translation>弱</translation>
    </message>
    <message>
        <source>Fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>较强</translation>
    </message>
    <message>
        <source>Strong</source>
        <translation>强</translation>
    </message>
</context>
<context>
    <name>RecordEditor</name>
    <message>
        <source>New: %1</source>
        <translation>新建：%1</translation>
    </message>
    <message>
        <source>Not saved yet</source>
        <translation>尚未保存</translation>
    </message>
    <message>
        <source>Returned by the county. Comment: %1</source>
        <translation>县总工会已退回。意见：%1</translation>
    </message>
    <message>
        <source>Not saved: some fields need attention.</source>
        <translation>未保存：有些栏目需要更正。</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save (Ctrl+S)</source>
        <translation>保存（Ctrl+S）</translation>
    </message>
    <message>
        <source>Save as draft</source>
        <translation>存为草稿</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>New record</source>
        <translation>新建记录</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Back to the list</source>
        <translation>返回列表</translation>
    </message>
</context>
<context>
    <name>RecordTableModel</name>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Last change</source>
        <translation>最后修改</translation>
    </message>
    <message>
        <source>County's comment: %1</source>
        <translation>县总工会意见：%1</translation>
    </message>
    <message>
        <source>Refused by the county server: %1</source>
        <translation>县级服务器拒收：%1</translation>
    </message>
</context>
<context>
    <name>RecordsPage</name>
    <message>
        <source>%1 record(s)</source>
        <translation>共 %1 条</translation>
    </message>
    <message>
        <source>type at least %1 digits of an ID number or phone</source>
        <translation>请至少输入身份证号或手机号的前 %1 位</translation>
    </message>
    <message>
        <source>All statuses</source>
        <translation>全部状态</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>New record</source>
        <translation>新建记录</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <source>Show personal data</source>
        <translation>显示个人信息</translation>
    </message>
    <message>
        <source>Show the ID number and phone of the selected record (recorded in the audit log)</source>
        <translation>显示所选记录的证件号码和手机号（将记入审计日志）</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>No records match.</source>
        <translation>没有符合条件的记录。</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
</context>
<context>
    <name>RepeatEditor</name>
    <message>
        <source>Add row</source>
        <translation>添加一行</translation>
    </message>
    <message>
        <source>Remove row</source>
        <translation>删除行</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <source>Clerk</source>
        <translation>录入员</translation>
    </message>
    <message>
        <source>Auditor</source>
        <translation>经审员</translation>
    </message>
    <message>
        <source>County reviewer</source>
        <translation>县级审核员</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Your password was changed.</source>
        <translation>密码已修改。</translation>
    </message>
    <message>
        <source>Enter a user name.</source>
        <translation>请输入用户名。</translation>
    </message>
    <message>
        <source>User %1 was added.</source>
        <translation>已添加用户 %1。</translation>
    </message>
    <message>
        <source>You cannot remove yourself.</source>
        <translation>不能删除自己。</translation>
    </message>
    <message>
        <source>Remove user</source>
        <translation>删除用户</translation>
    </message>
    <message>
        <source>Remove user %1? Their password will no longer open this workspace.</source>
        <translation>删除用户 %1？其密码将不能再打开本工作区。</translation>
    </message>
    <message>
        <source>User %1 was removed.</source>
        <translation>已删除用户 %1。</translation>
    </message>
    <message>
        <source>Backup folder</source>
        <translation>备份文件夹</translation>
    </message>
    <message>
        <source>Backing up…</source>
        <translation>正在备份…</translation>
    </message>
    <message>
        <source>Backup written: %1</source>
        <translation>备份已写入：%1</translation>
    </message>
    <message>
        <source>Choose a backup file</source>
        <translation>选择备份文件</translation>
    </message>
    <message>
        <source>Restore a backup</source>
        <translation>从备份恢复</translation>
    </message>
    <message>
        <source>The workspace is replaced by the backup (the current one is kept aside). Your password at the time of the backup, or the recovery key:</source>
        <translation>当前工作区将被备份替换（原工作区另行保留）。请输入备份时您的密码，或恢复密钥：</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>正在检查…</translation>
    </message>
    <message>
        <source>The workspace is sound: database, audit chain and key slots check clean.</source>
        <translation>工作区完好：数据库、审计链和密钥槽检查均正常。</translation>
    </message>
    <message>
        <source>Problems found:</source>
        <translation>发现问题：</translation>
    </message>
    <message>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Lock after idle minutes</source>
        <translation>无操作自动锁定（分钟）</translation>
    </message>
    <message>
        <source>The window locks itself after this many minutes without use (0: never).</source>
        <translation>无操作达到此分钟数后窗口自动锁定（0 表示从不）。</translation>
    </message>
    <message>
        <source>My password</source>
        <translation>我的密码</translation>
    </message>
    <message>
        <source>Change my password</source>
        <translation>修改我的密码</translation>
    </message>
    <message>
        <source>Users and roles</source>
        <translation>用户与角色</translation>
    </message>
    <message>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>New user</source>
        <translation>新用户</translation>
    </message>
    <message>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <source>Remove selected user</source>
        <translation>删除所选用户</translation>
    </message>
    <message>
        <source>Backups</source>
        <translation>备份</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Keep the newest</source>
        <translation>保留最新的</translation>
    </message>
    <message>
        <source> backups</source>
        <translation> 份备份</translation>
    </message>
    <message>
        <source>Back up automatically when closing</source>
        <translation>关闭时自动备份</translation>
    </message>
    <message>
        <source>Back up now</source>
        <translation>立即备份</translation>
    </message>
    <message>
        <source>Restore a backup…</source>
        <translation>从备份恢复…</translation>
    </message>
    <message>
        <source>Workspace check</source>
        <translation>工作区检查</translation>
    </message>
    <message>
        <source>Check the workspace</source>
        <translation>检查工作区</translation>
    </message>
    <message>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
</context>
<context>
    <name>Statuses</name>
    <message>
        <source>Draft</source>
        <translation>草稿</translation>
    </message>
    <message>
        <source>Ready to sync</source>
        <translation>待同步</translation>
    </message>
    <message>
        <source>Waiting to upload</source>
        <translation>等待上传</translation>
    </message>
    <message>
        <source>Delivered to county</source>
        <translation>已送达县总工会</translation>
    </message>
    <message>
        <source>Accepted by county</source>
        <translation>县总工会已认可</translation>
    </message>
    <message>
        <source>Returned by county</source>
        <translation>县总工会已退回</translation>
    </message>
    <message>
        <source>Forwarded to province</source>
        <translation>已转报省总工会</translation>
    </message>
    <message>
        <source>Confirmed by province</source>
        <translation>省总工会已确认</translation>
    </message>
    <message>
        <source>Rejected: fix and save again</source>
        <translation>被拒收：请更正后重新保存</translation>
    </message>
</context>
<context>
    <name>StoreErrors</name>
    <message>
        <source>Too many wrong passwords. Try again in %1 second(s).</source>
        <translation>密码错误次数过多，请 %1 秒后再试。</translation>
    </message>
    <message>
        <source>Wrong password.</source>
        <translation>密码错误。</translation>
    </message>
    <message>
        <source>Wait %1 second(s) before the next try.</source>
        <translation>请等待 %1 秒后再试。</translation>
    </message>
    <message>
        <source>This recovery key is mistyped: check the groups against the printout.</source>
        <translation>恢复密钥输入有误，请对照打印件逐组核对。</translation>
    </message>
    <message>
        <source>There is no user of that name in this workspace.</source>
        <translation>本工作区没有这个用户。</translation>
    </message>
    <message>
        <source>The workspace database was altered or damaged outside UnionDesk. Restore a backup.</source>
        <translation>工作区数据库被工会通以外的程序改动或已损坏。请从备份恢复。</translation>
    </message>
    <message>
        <source>The key file of this workspace is damaged. Restore a backup or use the recovery key.</source>
        <translation>本工作区的密钥文件已损坏。请从备份恢复或使用恢复密钥。</translation>
    </message>
    <message>
        <source>The workspace folder is incomplete or unreadable. Restore a backup.</source>
        <translation>工作区文件夹不完整或无法读取。请从备份恢复。</translation>
    </message>
    <message>
        <source>This workspace was written by a newer UnionDesk. Install the newer version to open it.</source>
        <translation>此工作区由更新版本的工会通写入，请安装新版本后再打开。</translation>
    </message>
    <message>
        <source>That folder already holds a workspace.</source>
        <translation>该文件夹中已有工作区。</translation>
    </message>
    <message>
        <source>This file is not a UnionDesk backup. Choose a backup file (its name ends in .udbak).</source>
        <translation>此文件不是 UnionDesk 备份。请选择备份文件（文件名以 .udbak 结尾）。</translation>
    </message>
    <message>
        <source>This backup file is incomplete or damaged (perhaps cut short while copying). Nothing was restored: use another backup.</source>
        <translation>此备份文件不完整或已损坏（可能在复制时中断）。未恢复任何内容，请改用其他备份。</translation>
    </message>
    <message>
        <source>Wrong password for this backup. Use the password the user had when the backup was made, or the recovery key.</source>
        <translation>密码无法打开此备份。请使用该用户在备份时的密码，或使用恢复密钥。</translation>
    </message>
    <message>
        <source>The folder %1 already holds a workspace: nothing was restored and that workspace was left as it is.</source>
        <translation>文件夹 %1 中已有工作区：未恢复任何内容，原有工作区保持不变。</translation>
    </message>
    <message>
        <source>The workspace is locked or closed.</source>
        <translation>工作区已锁定或关闭。</translation>
    </message>
    <message>
        <source>Your role does not allow this.</source>
        <translation>您的角色无权进行此操作。</translation>
    </message>
    <message>
        <source>Some fields need attention.</source>
        <translation>有些栏目需要更正。</translation>
    </message>
    <message>
        <source>The record no longer exists.</source>
        <translation>该记录已不存在。</translation>
    </message>
    <message>
        <source>This record was signed off and cannot change; enter a correction as a new record.</source>
        <translation>该记录已签署锁定，不能修改；如需更正请新建一条记录。</translation>
    </message>
    <message>
        <source>This record is with the county for review and cannot change now.</source>
        <translation>该记录正在县总工会审核，暂时不能修改。</translation>
    </message>
    <message>
        <source>This form is not known to the workspace.</source>
        <translation>工作区中没有这张表单。</translation>
    </message>
    <message>
        <source>The disk is full: the change was not saved. Free some space and save again.</source>
        <translation>磁盘已满，修改未保存。请腾出空间后重新保存。</translation>
    </message>
    <message>
        <source>The computer could not read or write the workspace files. Nothing saved was lost.</source>
        <translation>电脑无法读写工作区文件。已保存的数据没有丢失。</translation>
    </message>
    <message>
        <source>Something went wrong: %1</source>
        <translation>出现问题：%1</translation>
    </message>
</context>
<context>
    <name>UnionsPage</name>
    <message>
        <source>Unions</source>
        <translation>基层工会</translation>
    </message>
    <message>
        <source>Search by union or employer name, or credit code</source>
        <translation>按工会或单位名称、统一社会信用代码搜索</translation>
    </message>
</context>
</TS>