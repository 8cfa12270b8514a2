{#- A call that reported a service tier the price seed has no row for was priced at standard and flagged
    price_fallback: a warning naming the model and the tiers, so the seed gets the row. -#}
{% test no_missing_price_tiers(model) %}
{{ config(severity='warn') }}
select
    provider,
    model,
    missing_tiers,
    tier_fallback_calls,
    first_seen,
    last_seen
from {{ model }}
where missing_tiers is not null
{% endtest %}
