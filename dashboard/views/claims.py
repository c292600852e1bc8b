"""Claims: headlines people repeat about the open-model race, each checked against the data."""

import plotly.express as px
import streamlit as st

from collectors.settings import load_settings
from dashboard.claims import DEFAULT_FILE, Claim, ClaimsFileError, Outcome, evaluate, load_claims
from dashboard.components import chart_footer
from dashboard.data import require_data

BADGES = {"holds": ("green", "holds"), "does not hold": ("red", "does not hold"),
          "not enough data": ("gray", "not enough data")}

path = require_data()
claims_file = load_settings().claims_file or DEFAULT_FILE
st.title("Claims")
st.caption("Headlines repeated about open models, each with a SQL check against the published warehouse: "
           f"a verdict, the measured figure, its as-of date and the data behind it. The claims come from "
           f"`{claims_file}` (set OMO_CLAIMS_FILE to use your own); a verdict changes when the data does.")

try:
    claims = load_claims(claims_file)
except ClaimsFileError as exc:
    st.error(str(exc))
    st.stop()


@st.cache_data(ttl=600, show_spinner=False)
def _checked(claim: Claim, serving_file: str) -> Outcome:
    return evaluate(claim, serving_file)


for item in claims:
    outcome = item if isinstance(item, Outcome) else _checked(item, path)
    with st.container(border=True):
        if outcome.claim is None:
            st.error(f"**{outcome.label}** cannot be read: {outcome.error}")
            continue
        claim = outcome.claim
        st.markdown(f"**{claim.statement}**")
        st.caption(f"Said: {claim.source} · claim id `{claim.id}`")
        if outcome.verdict is None:
            st.error(f"Not checked: {outcome.error}")
            continue
        colour, text = BADGES[outcome.verdict]
        st.markdown(f":{colour}-badge[{text}] {outcome.figure}")
        st.caption(f"Data as of {outcome.as_of}")
        if outcome.error:
            st.warning(outcome.error)
        elif outcome.chart is not None and not outcome.chart.is_empty() and {"x", "y"} <= set(outcome.chart.columns):
            colour_by = "series" if "series" in outcome.chart.columns else None
            figure = px.line(outcome.chart, x="x", y="y", color=colour_by, markers=True, height=260,
                             title=f"The data behind “{claim.id}”", labels={"x": "", "y": "", "series": ""})
            st.plotly_chart(figure, width="stretch", key=f"claim_chart_{claim.id}")
            chart_footer(outcome.chart, source="the published marts (see the claim's SQL)", as_of=outcome.as_of,
                         key=f"claim_{claim.id}")
        with st.expander("The check"):
            st.code(claim.check.strip(), language="sql")
