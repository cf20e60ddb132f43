"""联网: the finance bureau's feed (预算指标, 调整, 国库集中支付), received, validated and kept beside the disclosures."""
