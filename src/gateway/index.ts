export { type DetectionSource, Gateway, type GatewayOptions, siteNamesFor } from './gateway.js';
export { type GatewayService, startGatewayService } from './service.js';
