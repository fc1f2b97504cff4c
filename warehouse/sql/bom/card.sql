-- The README body of one model.
SELECT body FROM model_cards WHERE model_id = $model
