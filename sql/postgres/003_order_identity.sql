-- Strikeline schema v3 (PostgreSQL): order and event identity across journals and days
-- (docs/orders-flow.md, "Identity"). Journal sequences repeat across journals (every journal
-- numbers day << 32 | n from 1) and a client order id (the Upstox tag) may be reused on another
-- day or by another terminal, so both keys gain the journal id: an event is (journal_id,
-- journal_sequence), an order (journal_id, client_order_id). Rows written before this migration
-- came from journals without an id and keep journal_id = '' (what those journals replay as).

ALTER TABLE orders ADD COLUMN journal_id TEXT NOT NULL DEFAULT '';
ALTER TABLE orders DROP CONSTRAINT orders_pkey;
ALTER TABLE orders ADD PRIMARY KEY (journal_id, client_order_id);
DROP INDEX orders_parent;
CREATE INDEX orders_parent ON orders (journal_id, parent_client_order_id) WHERE parent_client_order_id IS NOT NULL;
CREATE INDEX orders_client ON orders (client_order_id);

ALTER TABLE order_events ADD COLUMN journal_id TEXT NOT NULL DEFAULT '';
ALTER TABLE order_events DROP CONSTRAINT order_events_pkey;
ALTER TABLE order_events ADD PRIMARY KEY (journal_id, journal_sequence);
DROP INDEX order_events_client;
CREATE INDEX order_events_client ON order_events (journal_id, client_order_id);
