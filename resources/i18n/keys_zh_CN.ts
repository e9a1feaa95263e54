<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>AuditsPage</name>
    <message>
        <source>Funds review</source>
        <translation>经费审查</translation>
    </message>
</context>
<context>
    <name>Help</name>
    <message>
        <source>Help</source>
        <translation>帮助</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Keyboard shortcuts</source>
        <translation>快捷键(&amp;K)</translation>
    </message>
    <message>
        <source>&amp;Go</source>
        <translation>转到(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Actions</source>
        <translation>操作(&amp;A)</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>This page has no search box.</source>
        <translation>本页没有搜索框。</translation>
    </message>
    <message>
        <source>This page has nothing to print.</source>
        <translation>本页没有可打印的内容。</translation>
    </message>
    <message>
        <source>This page has nothing to export.</source>
        <translation>本页没有可导出的内容。</translation>
    </message>
</context>
<context>
    <name>Shortcuts</name>
    <message>
        <source>&amp;Dashboard</source>
        <translation>首页(&amp;D)</translation>
    </message>
    <message>
        <source>&amp;Unions</source>
        <translation>基层工会(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Members</source>
        <translation>会员(&amp;M)</translation>
    </message>
    <message>
        <source>&amp;Assessments</source>
        <translation>会员评家(&amp;A)</translation>
    </message>
    <message>
        <source>Aud&amp;its</source>
        <translation>经费审查(&amp;I)</translation>
    </message>
    <message>
        <source>S&amp;ync page</source>
        <translation>同步页面(&amp;Y)</translation>
    </message>
    <message>
        <source>Se&amp;ttings</source>
        <translation>设置(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Find on this page</source>
        <translation>在本页查找(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Print</source>
        <translation>打印(&amp;P)</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>导出(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Sync now</source>
        <translation>立即同步(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Help for this page</source>
        <translation>本页帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;Lock</source>
        <translation>锁定(&amp;L)</translation>
    </message>
    <message>
        <source>&amp;Open the selected row</source>
        <translation>打开选中的行(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;New record</source>
        <translation>新建记录(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;Save the entry screen</source>
        <translation>保存录入页(&amp;S)</translation>
    </message>
    <message>
        <source>Next &amp;field</source>
        <translation>下一栏(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Close the entry screen</source>
        <translation>关闭录入页(&amp;C)</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>Underlined letters on buttons and menus work with Alt (for example Alt+H).</source>
        <translation>按钮和菜单上带下划线的字母可与 Alt 键一起按（例如 Alt+H）。</translation>
    </message>
    <message>
        <source>Keys</source>
        <translation>按键</translation>
    </message>
    <message>
        <source>Action</source>
        <translation>功能</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>适用范围</translation>
    </message>
    <message>
        <source>everywhere</source>
        <translation>任何页面</translation>
    </message>
    <message>
        <source>in a list</source>
        <translation>列表中</translation>
    </message>
    <message>
        <source>on an entry screen</source>
        <translation>录入页中</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
</context>
</TS>
