export { type DetectionSource, Gateway, type GatewayOptions } from './gateway.js';
export { type GatewayService, startGatewayService } from './service.js';
