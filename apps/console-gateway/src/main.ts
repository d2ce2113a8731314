import { runConsoleGatewayStandalone } from '@easgate/console-gateway';

// Thin standalone entry: the same gateway `easgate start` serves, configured from the environment.
runConsoleGatewayStandalone();
