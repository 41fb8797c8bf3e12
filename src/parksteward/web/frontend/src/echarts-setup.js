// The parts of ECharts the console draws with (tree-shaken from echarts/core). Imported
// dynamically by chart.js, so that it arrives in a chunk of its own when a chart first opens.
import * as echarts from "echarts/core";
import { LineChart, ScatterChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([LineChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent,
  CanvasRenderer]);

export { echarts };
