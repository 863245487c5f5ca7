-- One row per session: the times of its first and last valid answers, and
-- the answers as a MAP in order of first appearance.
WITH times AS (
    SELECT customer, flow, session, min(event_at) AS first_answer_dt, max(event_at) AS last_answer_dt
    FROM {{ ref('chatbot_answer_events') }}
    GROUP BY customer, flow, session
)
SELECT
    t.customer,
    t.flow,
    t.session,
    t.first_answer_dt,
    t.last_answer_dt,
    map_from_entries(list(struct_pack(k := l.answer_key, v := l.answer_value) ORDER BY l.first_seen)) AS answers
FROM times AS t
JOIN {{ ref('chatbot_latest_answers') }} AS l USING (customer, flow, session)
GROUP BY t.customer, t.flow, t.session, t.first_answer_dt, t.last_answer_dt
ORDER BY t.customer, t.flow, t.session
