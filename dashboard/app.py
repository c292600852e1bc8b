"""Open Model Observatory dashboard: `omo serve` (or `streamlit run dashboard/app.py`)."""

# Fully import pandas before any page runs. plotly looks pandas up in sys.modules without
# importing it, so a chart drawn while another session's thread is still importing pandas (e.g.
# the Overview's tables, when the user switches page quickly) met a half-initialised module:
# "partially initialized module 'pandas' has no attribute 'Series'".
import pandas  # noqa: F401
import streamlit as st

from dashboard.components import SAMPLE_LABEL  # noqa: E402 - after pandas, see above
from dashboard.data import is_sample_data  # noqa: E402

sample = is_sample_data()
st.set_page_config(page_title="Open Model Observatory" + (" · SAMPLE DATA" if sample else ""), page_icon="🔭",
                   layout="wide")
if sample:
    # above every page, so a screenshot can never pass sample figures off as real ones
    st.warning(f"**{SAMPLE_LABEL}.** Names are real, every figure is made up. Point `OMO_DATA_DIR` at your "
               "real data directory (or run `make run`) for real data.", icon="🧪")

pages = [
    st.Page("views/overview.py", title="Overview", icon=":material/monitor_heart:", default=True),
    st.Page("views/market_share.py", title="Market share", icon=":material/pie_chart:"),
    st.Page("views/licences.py", title="Licences", icon=":material/gavel:"),
    st.Page("views/github.py", title="GitHub", icon=":material/star:"),
    st.Page("views/prices.py", title="Prices", icon=":material/payments:"),
    st.Page("views/price_performance.py", title="Price & performance", icon=":material/speed:"),
    st.Page("views/ecosystem.py", title="Ecosystem", icon=":material/hub:"),
    st.Page("views/claims.py", title="Claims", icon=":material/fact_check:"),
    st.Page("views/explorer.py", title="Model explorer", icon=":material/search:"),
    st.Page("views/sql.py", title="SQL", icon=":material/terminal:"),
]
st.navigation(pages).run()
