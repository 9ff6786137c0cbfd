mod scenario_core;
