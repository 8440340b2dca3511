# declarant.profile: BaseTransfer of the export samples: the broker 3301980XB5 declares the
# inventories (CEB603). Headers of inventories-zh.csv are the Chinese field names of
# ceb-export-spec.md §3.6, so no [columns] section is needed.
[defaults]
copCode = 3301980XB5
copName = 示例报关服务（杭州）有限公司
dxpId = DXPENT0000999915
