-- A price modifier row has the effect its modifier takes (the emitter registry's price_modifiers): a fee modifier
-- (web_search_fee) a fee and no multiplier, a multiplier modifier a multiplier (blank is 1) and no fee, a flag modifier
-- (audio_input_tokens, audio_output_tokens: no effect a row can give yet) neither (a multiplier of 1 at most: the row
-- records that the model bills the signal as text).
{%- set modifiers_by_effect = {'fee': [], 'flag': []} -%}
{%- for modifier, rule in emitter_registry()['price_modifiers'].items() if rule['effect'] in modifiers_by_effect -%}
    {%- do modifiers_by_effect[rule['effect']].append("'" ~ modifier ~ "'") -%}
{%- endfor -%}
{%- set fee_modifiers = modifiers_by_effect['fee'] -%}
{%- set flag_modifiers = modifiers_by_effect['flag'] or ["''"] -%}
{%- set is_fee = 'lower(trim(seed_rows.modifier)) in (' ~ fee_modifiers | join(', ') ~ ')' -%}
{%- set is_flag = 'lower(trim(seed_rows.modifier)) in (' ~ flag_modifiers | join(', ') ~ ')' -%}
{%- set blank_fee = "nullif(trim(seed_rows.fee_usd_per_unit), '') is null" -%}
{%- set blank_multiplier = "nullif(trim(seed_rows.rate_multiplier), '') is null" -%}
{%- set one_at_most = '(' ~ blank_multiplier ~ ' or ' ~ safe_money("nullif(trim(seed_rows.rate_multiplier), '')") ~ ' = 1)' %}
{{ seed_row_problems(ref('price_modifiers'),
    '(' ~ is_fee ~ ' and (' ~ blank_fee ~ ' or not ' ~ blank_multiplier ~ '))'
    ~ ' or (' ~ is_flag ~ ' and (not ' ~ blank_fee ~ ' or not ' ~ one_at_most ~ '))'
    ~ ' or (not ' ~ is_fee ~ ' and not ' ~ blank_fee ~ ')',
    ['rate_multiplier', 'fee_usd_per_unit'],
    'do not fit the modifier: a fee modifier (' ~ fee_modifiers | join(', ') ~ ') takes fee_usd_per_unit only, a flag '
    ~ 'modifier (' ~ flag_modifiers | join(', ') ~ ') neither (rate_multiplier 1 at most), the others rate_multiplier only') }}
select modifiers.modifier_key
from {{ ref('stg_seeds__price_modifiers') }} as modifiers
where
    (modifiers.modifier in ({{ fee_modifiers | join(', ') }}) and modifiers.fee_usd_per_unit is null)
    or (modifiers.modifier in ({{ flag_modifiers | join(', ') }}) and modifiers.rate_multiplier <> 1)
    or (modifiers.modifier not in ({{ fee_modifiers | join(', ') }}) and modifiers.fee_usd_per_unit is not null)
