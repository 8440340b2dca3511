# shopx.profile — column mapping for orders-profile.csv, the order export of the fictitious
# merchant "ShopX" (示例优品跨境电子商务) selling on platform 4403960XA1.
# [columns]: merchant header = CEB field name (header matched exactly, spaces around '=' ignored).
# [defaults]: values for fields the export does not have; copCode/copName/dxpId fill BaseTransfer.
# ShopX writes appTime as 'YYYY/MM/DD hh:mm' (no seconds) and origin as ISO 3166 alpha-2.
[columns]
Order ID = orderNo
Order Time = appTime
Buyer Account = buyerRegNo
Buyer Name = buyerName
Buyer Phone = buyerTelephone
ID Number = buyerIdNumber
Pay Txn = payTransactionId
Ship To Name = consignee
Ship To Phone = consigneeTelephone
Ship To Address = consigneeAddress
District = consigneeDistrict
Goods Total = goodsValue
Shipping = freight
Coupon = discount
Tax = taxTotal
Paid = acturalPaid
Line = gnum
SKU = itemNo
Item = itemName
Spec = gmodel
Barcode = barCode
Unit = unit
Qty = qty
Unit Price = price
Line Total = totalPrice
Origin = country

[defaults]
ebpCode = 4403960XA1
ebpName = 示例跨境购平台（深圳）有限公司
ebcCode = 4403960XE5
ebcName = 示例优品跨境电子商务（深圳）有限公司
buyerIdType = 1
payCode = 4403960XC3
payName = 示例支付科技有限公司
copCode = 4403960XA1
copName = 示例跨境购平台（深圳）有限公司
dxpId = DXPENT0000999901
