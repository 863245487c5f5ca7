-- The latest event of every key of every table (by ts_ms, then lsn; an exact
-- duplicate, as at-least-once delivery brings, is decided by its place in the
-- files). A delete stays here as a tombstone (is_deleted) so that an older
-- update arriving late in a later file cannot bring its key back; the
-- per-table current-state models leave tombstones out.
-- batch: key: a run reads every event of the keys that new events touch and
-- replaces those keys' rows; a replaced or removed landing file rebuilds it.
{{ config(materialized='incremental', batch='key', unique_key=['table_name', 'pk']) }}
SELECT
    table_name,
    pk,
    op,
    op = 'd' AS is_deleted,
    ts_ms,
    lsn,
    changed_at,
    row_image,
    _source_file,
    _source_line
FROM {{ ref('ecommerce_cdc_events') }}
QUALIFY row_number() OVER (
    PARTITION BY table_name, pk
    ORDER BY ts_ms DESC, lsn DESC, _source_file DESC, _source_line DESC
) = 1
