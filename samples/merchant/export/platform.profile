# platform.profile: BaseTransfer of the export orders (CEB303) in orders.ndjson: the
# platform 3301960XP1 transmits them. Keys are the CEB field names, so no [columns].
[defaults]
copCode = 3301960XP1
copName = 示例出海购平台（杭州）有限公司
dxpId = DXPENT0000999911
