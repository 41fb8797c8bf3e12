// The console's entry point: the shell, then each part that plugs into it.
import { boot } from "./main.js";
import "./models.js";
import "./enterprise.js";
import "./chart.js";
import "./alarms.js";
import "./overview.js";
import "./extrude.js";
import "./zones.js";

boot();
