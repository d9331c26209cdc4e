export { WiringCheck } from './wiring.check';
export { WiringModule } from './wiring.module';
export { resolutionProblem } from './wiring.problems';
