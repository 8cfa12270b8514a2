{#- tokens x USD per 1M tokens, exactly: multiplying by 0.000001 keeps a decimal, dividing would not (DuckDB divides
    decimals as doubles). On BigQuery a bare 0.000001 is a FLOAT64 literal, so the factor is a typed decimal there. -#}
{% macro cost_of(tokens, usd_per_mtok) %}{{ return(adapter.dispatch('cost_of', 'llm_cost')(tokens, usd_per_mtok)) }}{% endmacro %}
{% macro default__cost_of(tokens, usd_per_mtok) -%}
    cast(cast({{ tokens }} as {{ llm_cost.money_type() }}) * {{ usd_per_mtok }} * 0.000001 as {{ llm_cost.money_type() }})
{%- endmacro %}
{#- DuckDB rounds the product from scale 30 to 12 with a 128-bit division, about 1.4 s per 5M products. A rate with at
    most 6 decimals per 1M tokens (nearly every list price) needs no rounding: its rate in micro-dollars per 1M tokens
    is a whole number, found in floating point and proved by multiplying back (never trusted as a float), and a whole
    count of tokens times it is exact at the 12th decimal (0.09 s per 5M). Any other rate takes the rounded product;
    both give the same value (tests/pytest/test_money.py; bench/RESULTS.md, 2026-12-07). -#}
{% macro duckdb__cost_of(tokens, usd_per_mtok) -%}
    {%- set micro_usd_per_mtok = 'try_cast(round(cast(' ~ usd_per_mtok ~ ' as double) * 1000000) as bigint)' -%}
    case
        when {{ micro_usd_per_mtok }} * 0.000001 = {{ usd_per_mtok }}
            then cast(cast({{ tokens }} as decimal(38, 0)) * {{ micro_usd_per_mtok }} * 0.000000000001 as {{ llm_cost.money_type() }})
        else {{ llm_cost.default__cost_of(tokens, usd_per_mtok) }}
    end
{%- endmacro %}
{% macro bigquery__cost_of(tokens, usd_per_mtok) -%}
    cast(cast(({{ tokens }}) * ({{ usd_per_mtok }}) as {{ llm_cost.money_type() }}) * cast('0.000001' as bignumeric(38, 6)) as {{ llm_cost.money_type() }})
{%- endmacro %}

{#- A token count in millions of tokens, exactly (FOCUS PricingQuantity in units of 1000000 Tokens). -#}
{% macro million_tokens(tokens) %}{{ return(adapter.dispatch('million_tokens', 'llm_cost')(tokens)) }}{% endmacro %}
{% macro default__million_tokens(tokens) -%}
    cast(cast({{ tokens }} as {{ llm_cost.money_type() }}) * 0.000001 as {{ llm_cost.money_type() }})
{%- endmacro %}
{% macro bigquery__million_tokens(tokens) -%}
    cast(cast({{ tokens }} as {{ llm_cost.money_type() }}) * cast('0.000001' as bignumeric(38, 6)) as {{ llm_cost.money_type() }})
{%- endmacro %}

{#- An even split of an amount over n parts, floored to the 12th decimal (at most n-1 pico-dollars are not handed out). -#}
{% macro money_split(amount, parts) %}{{ return(adapter.dispatch('money_split', 'llm_cost')(amount, parts)) }}{% endmacro %}
{% macro default__money_split(amount, parts) -%}
    cast(cast(floor(cast({{ amount }} * 1000000000000 as hugeint) / {{ parts }}) as decimal(38, 0)) * 0.000000000001 as {{ llm_cost.money_type() }})
{%- endmacro %}
{% macro duckdb__money_split(amount, parts) -%}
    cast(cast(cast({{ amount }} * 1000000000000 as hugeint) // {{ parts }} as decimal(38, 0)) * 0.000000000001 as {{ llm_cost.money_type() }})
{%- endmacro %}
{#- Integer division of pico-dollars, as on DuckDB. BigQuery's DIV on BIGNUMERIC is already whole; the floor
    keeps it so on an engine whose DIV returns the fraction too (the emulator's does). -#}
{% macro bigquery__money_split(amount, parts) -%}
    cast(
        floor(div(cast({{ amount }} * 1000000000000 as bignumeric(38, 0)), {{ parts }}))
        * cast('0.000000000001' as bignumeric(38, 12))
        as {{ llm_cost.money_type() }}
    )
{%- endmacro %}

{#- An amount in a currency's lowest units (cents) as the same amount in its units (dollars), exactly: a decimal
    times a decimal factor (dividing would give a double on DuckDB, and a bare 0.01 is a FLOAT64 on BigQuery).
    Null when the text is not a decimal. -#}
{% macro money_from_minor_units(expr) %}{{ return(adapter.dispatch('money_from_minor_units', 'llm_cost')(expr)) }}{% endmacro %}
{% macro default__money_from_minor_units(expr) -%}
    cast({{ llm_cost.safe_money(expr) }} * 0.01 as {{ llm_cost.money_type() }})
{%- endmacro %}
{#- SAFE_CAST rounds as CAST does; the BigQuery emulator (make test) keeps only 5 decimals of such a CAST inside a
    model, not of a SAFE_CAST. -#}
{% macro bigquery__money_from_minor_units(expr) -%}
    safe_cast({{ llm_cost.safe_money(expr) }} * cast('0.01' as bignumeric(38, 2)) as {{ llm_cost.money_type() }})
{%- endmacro %}

{#- A rate less a percent, exactly: rate x (100 - percent) x 0.01, kept at the money scale (rounded to the 12th
    decimal). Null when the rate is null. On BigQuery the factor is a typed decimal (a bare 0.01 is a FLOAT64). -#}
{% macro discounted(rate, percent) %}{{ return(adapter.dispatch('discounted', 'llm_cost')(rate, percent)) }}{% endmacro %}
{% macro default__discounted(rate, percent) -%}
    cast({{ rate }} * (100 - {{ percent }}) * 0.01 as {{ llm_cost.money_type() }})
{%- endmacro %}
{% macro bigquery__discounted(rate, percent) -%}
    cast({{ rate }} * (100 - {{ percent }}) * cast('0.01' as bignumeric(38, 2)) as {{ llm_cost.money_type() }})
{%- endmacro %}

{#- A rate times an exact factor (a price modifier's rate_multiplier, 1.1 for a 10% premium), kept at the money scale
    (rounded to the 12th decimal). Null when the rate is null. Both are typed decimals, so no float on either engine. -#}
{% macro multiplied(rate, factor) -%}
    cast({{ rate }} * {{ factor }} as {{ llm_cost.money_type() }})
{%- endmacro %}

{#- A count of units times a fee in USD per unit (web searches at $0.01), exact. -#}
{% macro fee_cost(units, usd_per_unit) -%}
    cast(cast({{ units }} as {{ llm_cost.money_type() }}) * {{ usd_per_unit }} as {{ llm_cost.money_type() }})
{%- endmacro %}
