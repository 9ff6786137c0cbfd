mod cascade_core;
