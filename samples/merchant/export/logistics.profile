# logistics.profile: BaseTransfer of the export waybills (CEB505) in waybills.csv: the
# logistics enterprise 3301980XL4 transmits them.
[defaults]
copCode = 3301980XL4
copName = 示例国际速递（杭州）有限公司
dxpId = DXPENT0000999914
