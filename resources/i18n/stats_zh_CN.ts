<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
  <context>
    <name>StatsReport</name>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Statistics tables…</source>
      <translation>统计报表…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Statistics tables</source>
      <translation>统计报表</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>As of</source>
      <translation>截至日期</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Period (year)</source>
      <translation>统计年度</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Tables</source>
      <translation>报表</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Counts only: no names or ID numbers are written.</source>
      <translation>只含统计数字，不输出姓名和证件号码。</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Save as…</source>
      <translation>另存为…</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Save statistics tables</source>
      <translation>保存统计报表</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>statistics tables</source>
      <translation>统计报表</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Excel workbook (*.xlsx);;PDF (*.pdf)</source>
      <translation>Excel 工作簿 (*.xlsx);;PDF (*.pdf)</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Statistics tables saved: %1</source>
      <translation>统计报表已保存：%1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>The statistics tables could not be written: %1</source>
      <translation>统计报表未能生成：%1</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>This workspace</source>
      <translation>本工作区</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>County server (%1)</source>
      <translation>县级服务器（%1）</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>Source</source>
      <translation>数据来源</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>the county server cannot be reached; try again later</source>
      <translation>无法连接县级服务器，请稍后重试</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>the county allows its tables only to reviewer devices and reviewer accounts</source>
      <translation>县级服务器只向审核设备上的县级审核员提供统计报表</translation>
    </message>
    <message>
      <location filename="../../desktop/ui/stats_report.py" line="1" />
      <source>this workspace is not enrolled with a county server</source>
      <translation>本工作区尚未在县级服务器登记</translation>
    </message>
  </context>
</TS>
