-- The latest event of every key of every table (by ts_ms, then lsn; an exact
-- duplicate, as at-least-once delivery brings, is decided by its place in the
-- files). A delete stays here as a tombstone (is_deleted) so that an older
-- update arriving late in a later file cannot bring its key back; the
-- per-table current-state models leave tombstones out.
--
-- Incremental, delete+insert on (table_name, pk): a run recomputes only the
-- keys that newly loaded events touch (rows of one load share _loaded_at,
-- later than any this table has seen), plus the keys whose winning event has
-- left the landing folder (its file changed or disappeared). A key with no
-- event left becomes a tombstone. Everything else is kept as it was, which
-- gives the same current state as a full rebuild.
{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key=['table_name', 'pk']) }}
WITH events AS (
    SELECT table_name, pk, op, ts_ms, lsn, changed_at, row_image, _source_file, _source_line, _loaded_at
    FROM {{ ref('ecommerce_cdc_events') }}
),
{% if is_incremental() %}
touched AS (
    SELECT DISTINCT table_name, pk
    FROM events
    WHERE _loaded_at > (SELECT coalesce(max(_loaded_at), TIMESTAMPTZ '-infinity') FROM {{ this }})
    UNION
    SELECT s.table_name, s.pk
    FROM {{ this }} AS s
    WHERE s._source_file IS NOT NULL
      AND NOT EXISTS (
          SELECT 1 FROM events AS e
          WHERE e._source_file = s._source_file AND e._source_line = s._source_line AND e._loaded_at = s._loaded_at
      )
),
candidates AS (
    SELECT e.* FROM events AS e SEMI JOIN touched AS t USING (table_name, pk)
),
{% else %}
candidates AS (
    SELECT * FROM events
),
{% endif %}
latest AS (
    SELECT *
    FROM candidates
    QUALIFY row_number() OVER (
        PARTITION BY table_name, pk
        ORDER BY ts_ms DESC, lsn DESC, _source_file DESC, _source_line DESC
    ) = 1
)
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
    _source_line,
    _loaded_at
FROM latest
{% if is_incremental() %}
UNION ALL
-- Keys whose every event has left the landing folder.
SELECT t.table_name, t.pk, NULL, true, NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM touched AS t ANTI JOIN latest AS l USING (table_name, pk)
{% endif %}
