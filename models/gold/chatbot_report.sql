-- The per-flow report in long form. Its export pivots answer_key into
-- columns, one CSV per flow, the keys ordered by their first appearance in
-- the flow (key_position), so a new flow or key needs no change here.
WITH flow_keys AS (
    SELECT flow, answer_key, dense_rank() OVER (PARTITION BY flow ORDER BY min(key_seen)) AS key_position
    FROM {{ ref('chatbot_answer_events') }}
    GROUP BY flow, answer_key
)
SELECT
    s.customer,
    s.flow,
    s.session,
    s.first_answer_dt,
    s.last_answer_dt,
    a.answer_key,
    a.answer_value,
    k.key_position
FROM {{ ref('chatbot_sessions') }} AS s
JOIN {{ ref('chatbot_answers') }} AS a USING (customer, flow, session)
JOIN flow_keys AS k USING (flow, answer_key)
ORDER BY s.customer, s.flow, s.session, k.key_position
