{#- A call that signals a price modifier (a Bedrock inference profile, a regional or data-residency host, web searches)
    that no row of seeds/price_modifiers.csv prices was priced without it and flagged unpriced_modifiers: a warning
    naming the model and the modifiers, so the seed gets the rule. -#}
{% test no_unpriced_modifiers(model) %}
{{ config(severity='warn') }}
select
    provider,
    model,
    unpriced_modifiers,
    unpriced_modifier_calls,
    first_seen,
    last_seen
from {{ model }}
where unpriced_modifiers is not null
{% endtest %}
