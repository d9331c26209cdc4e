/** The boot-time check of the app's wiring (switches, policies, write-behind stores). */
export { WiringCheck } from './wiring.check';
export { WiringModule } from './wiring.module';
export { resolutionProblem } from './wiring.problems';
