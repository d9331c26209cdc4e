/** Name of the resilience policy around recommender calls (`stats()`, admin `forceState('recommender', …)`). */
export const RECOMMENDER_POLICY = 'recommender';

/** Name of the feature's degradation switch (`@Degradable('recommendations')`). */
export const RECOMMENDATIONS_FEATURE = 'recommendations';
