# default.profile — BaseTransfer values for the merchant samples whose headers are already
# CEB field names (orders-en.csv, orders-bad.csv, orders.ndjson) or the spec's Chinese column
# names (orders-zh.csv, orders-gb18030.csv). No [columns] section: those headers map by name.
# BaseTransfer cannot come from order rows, so it comes from here: the platform transmits.
[defaults]
copCode = 4403960XA1
copName = 示例跨境购平台（深圳）有限公司
dxpId = DXPENT0000999901
