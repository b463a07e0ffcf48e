//! End-to-end tests of sitrep-render. The figure data here is synthetic (hand-built
//! numbers, not UCDP or ACLED counts): rendering does not depend on what the numbers
//! are, only on their shape. Map outlines are the real Afghanistan provinces.

mod charts; // every chart kind: valid XML with title, axis titles, legend, annotations
mod common; // synthetic FigureData builders, XML helpers, the provinces file
mod csv; // the CSV holds every plotted value and sums to the series total
mod golden;
mod maps; // choropleth and point maps on the 34 real provinces
mod report; // the HTML report is self-contained and embeds the SVGs
mod specs; // the bundled specs parse; bad specs name the key // byte-for-byte golden files for one figure (SITREP_BLESS=1 rewrites)
