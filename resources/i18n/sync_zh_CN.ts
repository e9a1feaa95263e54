<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>SyncPage</name>
    <message>
        <source>Sync with the county</source>
        <translation>与县总工会同步</translation>
    </message>
    <message>
        <source>The county federation gives you the server address and a one-time enrollment code (ask the county's system administrator; F1 explains how).</source>
        <translation>服务器地址和一次性注册码由县（区）总工会提供（请联系县里的系统管理员；按 F1 查看说明）。</translation>
    </message>
    <message>
        <source>Enroll (Alt+R)</source>
        <translation>注册（Alt+R）</translation>
    </message>
    <message>
        <source>Sync now (F5)</source>
        <translation>立即同步（F5）</translation>
    </message>
    <message>
        <source>En&amp;roll</source>
        <translation>注册(&amp;R)</translation>
    </message>
    <message>
        <source>Sync</source>
        <translation>同步</translation>
    </message>
    <message>
        <source>County server</source>
        <translation>县级服务器</translation>
    </message>
    <message>
        <source>Enrollment</source>
        <translation>注册状态</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Waiting to send</source>
        <translation>待发送</translation>
    </message>
    <message>
        <source>Last sync</source>
        <translation>上次同步</translation>
    </message>
    <message>
        <source>Enroll this workspace</source>
        <translation>注册本工作区</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <source>Enroll</source>
        <translation>注册</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Sync automatically when online</source>
        <translation>联网时自动同步</translation>
    </message>
    <message>
        <source>Batches sent</source>
        <translation>已发送批次</translation>
    </message>
    <message>
        <source>Messages from the county that could not apply</source>
        <translation>无法应用的县级下发消息</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Records refused by the county</source>
        <translation>县级退回的记录</translation>
    </message>
    <message>
        <source>Batch</source>
        <translation>批次</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>记录数</translation>
    </message>
    <message>
        <source>Received</source>
        <translation>已接收</translation>
    </message>
    <message>
        <source>Duplicates</source>
        <translation>重复</translation>
    </message>
    <message>
        <source>Refused</source>
        <translation>拒收</translation>
    </message>
    <message>
        <source>Receipt time</source>
        <translation>回执时间</translation>
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
        <source>Reasons</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Enrolled with %1 as %2</source>
        <translation>已注册到 %1，单位 %2</translation>
    </message>
    <message>
        <source>Not enrolled</source>
        <translation>未注册</translation>
    </message>
    <message>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <source>refused</source>
        <translation>拒收</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <source>Unknown</source>
        <translation>未知</translation>
    </message>
    <message>
        <source>Enter the server address and the enrollment code.</source>
        <translation>请输入服务器地址和注册码。</translation>
    </message>
    <message>
        <source>Enrolling…</source>
        <translation>正在注册…</translation>
    </message>
    <message>
        <source>Enrolled as device %1.</source>
        <translation>已注册，设备编号 %1。</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <source>A sync is already running.</source>
        <translation>正在同步，请稍候。</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>正在取消…</translation>
    </message>
    <message>
        <source>Cancelled. %1 record(s) were delivered before that.</source>
        <translation>已取消。取消前已送达 %1 条记录。</translation>
    </message>
    <message>
        <source>The county already had later batches from this computer (was an older backup restored?); %1 record(s) it never received were sent again under new numbers.</source>
        <translation>县级已收到本机更晚的批次（是否恢复了旧备份？）；县级未收到的 %1 条记录已用新编号重新发送。</translation>
    </message>
    <message>
        <source>Done: %1 record(s) delivered, %2 refused, %3 message(s) from the county.</source>
        <translation>完成：送达 %1 条记录，拒收 %2 条，收到县级消息 %3 条。</translation>
    </message>
    <message numerus="yes">
        <source>%n record(s)</source>
        <translation>
            <numerusform>%n 条记录</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SyncText</name>
    <message>
        <source>The county server cannot be reached. Records stay safe here and go out automatically when the connection is back.</source>
        <translation>无法连接县级服务器。记录已安全保存在本机，网络恢复后会自动发送。</translation>
    </message>
    <message>
        <source>The county server no longer accepts this computer. Ask the county to enroll it again.</source>
        <translation>县级服务器已不再接受这台电脑。请联系县总工会重新注册。</translation>
    </message>
    <message>
        <source>This workspace is not enrolled with a county server yet.</source>
        <translation>本工作区尚未注册到县级服务器。</translation>
    </message>
    <message>
        <source>This workspace is already enrolled.</source>
        <translation>本工作区已经注册。</translation>
    </message>
    <message>
        <source>The enrollment code was refused: it is wrong, used or expired. Ask the county for a new code.</source>
        <translation>注册码被拒绝：注册码错误、已使用或已过期。请向县总工会索取新的注册码。</translation>
    </message>
    <message>
        <source>The county's answer could not be verified; nothing was marked as sent.</source>
        <translation>无法验证县级服务器的回执，未将任何记录标记为已发送。</translation>
    </message>
    <message>
        <source>A message from the county could not be verified and was not applied.</source>
        <translation>一条来自县级的消息未通过验证，未予采用。</translation>
    </message>
    <message>
        <source>The server address is not valid; it starts with https://</source>
        <translation>服务器地址无效，应以 https:// 开头。</translation>
    </message>
    <message>
        <source>This is not the server the enrollment code was made for.</source>
        <translation>该注册码不是为此服务器生成的。</translation>
    </message>
    <message>
        <source>The code was made for another org unit than this workspace.</source>
        <translation>该注册码对应的单位与本工作区不一致。</translation>
    </message>
    <message>
        <source>The county server refused the data: %1</source>
        <translation>县级服务器拒收：%1</translation>
    </message>
    <message>
        <source>Sync failed: %1</source>
        <translation>同步失败：%1</translation>
    </message>
    <message>
        <source>The county has already received later batches from this computer. Was the workspace restored from an older backup? Ask the county for help.</source>
        <translation>县级服务器已收到本机更新的批次。工作区是否从较早的备份恢复？请联系县总工会。</translation>
    </message>
    <message>
        <source>Only a clerk or an administrator may sync.</source>
        <translation>只有录入员或管理员可以同步。</translation>
    </message>
    <message>
        <source>the record belongs to another org unit</source>
        <translation>记录不属于本单位</translation>
    </message>
    <message>
        <source>the county does not know this form version</source>
        <translation>县级服务器不认识此表单版本</translation>
    </message>
    <message>
        <source>the record is incomplete</source>
        <translation>记录不完整</translation>
    </message>
    <message>
        <source>the county already has other content for this version (changed on another copy, e.g. before an older backup was restored); nothing was overwritten</source>
        <translation>县级已存有此版本的另一份内容（记录曾在另一份工作区副本上修改，例如恢复旧备份之前），未覆盖任何数据</translation>
    </message>
    <message>
        <source>the record was twice in one batch</source>
        <translation>同一批次中出现两次</translation>
    </message>
    <message>
        <source>the county does not know the receiving township (check its org-unit code); withdraw the transfer and request it again</source>
        <translation>县（区）总工会不认识转入乡镇（街道）代码，请核对；撤回该转会后重新申请</translation>
    </message>
    <message>
        <source>the receiving township is this township: transfer the member within this workspace</source>
        <translation>转入方就是本乡镇（街道），请直接在本工作区内转会</translation>
    </message>
    <message>
        <source>the transfer names another sending township</source>
        <translation>转会申请中的转出乡镇（街道）不是本单位</translation>
    </message>
    <message>
        <source>the county already has another request with this transfer number</source>
        <translation>县级已有使用同一转会编号的另一份申请</translation>
    </message>
    <message>
        <source>the county has no such transfer</source>
        <translation>县级没有此转会申请</translation>
    </message>
    <message>
        <source>this transfer is not this township's to answer</source>
        <translation>此转会不应由本单位答复</translation>
    </message>
    <message>
        <source>the transfer was already answered or withdrawn</source>
        <translation>此转会已被答复或已撤回</translation>
    </message>
</context>
</TS>
