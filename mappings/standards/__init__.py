"""National 公共资源交易平台系统数据规范 data sets, kept as data.

``datasets/*.json`` (one file per data set), ``common.json`` (envelope fields) and
``codetables.json`` are the definitions; ``loader`` reads and checks them; ``validator`` checks a
record against them. Sources and confidence tags are carried in the JSON itself.
"""
