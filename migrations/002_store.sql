-- The store the referral program attributes: vendors, products, orders and vendor settlements.
CREATE TABLE vendors (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT vendors_name_present CHECK (data->>'name' IS NOT NULL)
);

CREATE TABLE products (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT products_price_valid CHECK ((data->>'price')::bigint > 0),
    CONSTRAINT products_stock_valid CHECK ((data->>'stock')::bigint >= 0),
    CONSTRAINT products_currency_valid CHECK (data->>'currency' ~ '^[A-Z]{3}$')
);
CREATE INDEX products_vendor_idx ON products ((data->>'vendorId'));

CREATE TABLE orders (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT orders_kind_valid CHECK (data->>'kind' IN ('store', 'membership')),
    CONSTRAINT orders_amount_valid CHECK ((data->>'amount')::bigint > 0),
    CONSTRAINT orders_currency_valid CHECK (data->>'currency' ~ '^[A-Z]{3}$'),
    CONSTRAINT orders_status_valid CHECK (data->>'status' IN ('created', 'paid', 'failed', 'refunded'))
);
CREATE UNIQUE INDEX orders_reference_key ON orders ((data->>'orderReference'));
CREATE INDEX orders_buyer_idx ON orders ((data->>'buyerUserId'), (data->>'status'));

CREATE TABLE settlements (
    id         TEXT PRIMARY KEY,
    data       JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT settlements_order_present CHECK (data->>'orderReference' IS NOT NULL)
);
CREATE INDEX settlements_order_idx ON settlements ((data->>'orderReference'));
CREATE INDEX settlements_vendor_idx ON settlements ((data->>'vendorId'));
