-- A price modifier row has the effect its modifier takes (the emitter registry's price_modifiers): a fee modifier
-- (web_search_fee) a fee and no multiplier, a multiplier modifier a multiplier (blank is 1) and no fee.
{%- set fee_modifiers = [] -%}
{%- for modifier, rule in emitter_registry()['price_modifiers'].items() if rule['effect'] == 'fee' -%}
    {%- do fee_modifiers.append("'" ~ modifier ~ "'") -%}
{%- endfor -%}
{%- set is_fee = 'lower(trim(seed_rows.modifier)) in (' ~ fee_modifiers | join(', ') ~ ')' -%}
{%- set blank_fee = "nullif(trim(seed_rows.fee_usd_per_unit), '') is null" -%}
{%- set blank_multiplier = "nullif(trim(seed_rows.rate_multiplier), '') is null" %}
{{ seed_row_problems(ref('price_modifiers'),
    '(' ~ is_fee ~ ' and (' ~ blank_fee ~ ' or not ' ~ blank_multiplier ~ ')) or (not ' ~ is_fee ~ ' and not ' ~ blank_fee ~ ')',
    ['rate_multiplier', 'fee_usd_per_unit'],
    'do not fit the modifier: a fee modifier (' ~ fee_modifiers | join(', ') ~ ') takes fee_usd_per_unit only, the others rate_multiplier only') }}
select modifiers.modifier_key
from {{ ref('stg_seeds__price_modifiers') }} as modifiers
where
    (modifiers.modifier in ({{ fee_modifiers | join(', ') }}) and modifiers.fee_usd_per_unit is null)
    or (modifiers.modifier not in ({{ fee_modifiers | join(', ') }}) and modifiers.fee_usd_per_unit is not null)
