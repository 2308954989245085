-- Strikeline schema v7 (PostgreSQL): the live order lifecycle (docs/orders-flow.md). Orders gain
-- the statuses of a real broker (triggered, pending modify and cancel, lost) and their venue
-- (paper or upstox), whether they were placed outside Strikeline, and the broker's own status
-- string; events gain the kinds that record them. Every earlier order is paper.

ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check CHECK (status IN ('new', 'validated',
    'sent', 'acknowledged', 'triggered', 'partially_filled', 'pending_modify', 'pending_cancel',
    'filled', 'rejected', 'cancelled', 'lost'));
ALTER TABLE orders ADD COLUMN venue TEXT NOT NULL DEFAULT 'paper' CHECK (venue IN ('paper', 'upstox'));
ALTER TABLE orders ADD COLUMN external BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE orders ADD COLUMN broker_status TEXT;

ALTER TABLE order_events DROP CONSTRAINT order_events_kind_check;
ALTER TABLE order_events ADD CONSTRAINT order_events_kind_check CHECK (kind IN ('created',
    'validated', 'sent', 'acknowledged', 'partial_fill', 'fill', 'rejected', 'cancelled',
    'triggered', 'modify_requested', 'modified', 'modify_refused', 'cancel_requested',
    'cancel_refused', 'broker_status', 'lost'));
