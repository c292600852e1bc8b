"""The page-load bench's yardstick: a trivial one-chart Streamlit page (see bench/page_load.py).

A title and one plotly chart of a small DataFrame, nothing else: what any Streamlit page with a
chart costs, so the dashboard's pages are judged by what they add to it (DESIGN.md section 7).
"""

import pandas as pd
import plotly.express as px
import streamlit as st

st.title("Trivial page")
frame = pd.DataFrame({"day": range(30), "value": [(i * 7) % 11 + i for i in range(30)]})
st.plotly_chart(px.line(frame, x="day", y="value", title="One small chart"), width="stretch")
