"""Payments against fund links (支付) and refunds (退款) as reversing payments."""
